"""A test e-mail backend usable from a worker subprocess: one line per message (its Message-ID)
appended to $MAIL_LOG, with an optional delay per message ($MAIL_DELAY seconds) standing for a slow SMTP."""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["MAIL_LOG"]
        delay = float(os.environ.get("MAIL_DELAY", "0"))
        for message in email_messages:
            if delay:
                time.sleep(delay)  # the latency of a mail server, not a wait for time in a test
            with open(path, "a", encoding="utf-8") as log:
                log.write(message.extra_headers["Message-ID"] + "\n")
        return len(email_messages)
