"""The meeting as an iCalendar file (RFC 5545), written by hand: CRLF line endings, folded lines."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def _escape(text):
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line):
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    data = line.encode("utf-8")
    parts = []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
    parts.append(data)
    return b"\r\n ".join(parts).decode("utf-8")


def meeting_calendar(context):
    """An all-day event on the meeting date of the cycle described by ``context``."""
    day = context["meeting_date"]
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "localhost"
    summary = _("Annual review meeting %(year)s") % {"year": context["year"]}
    description = _("Year-end annual review meeting of the directorate-general. Reports are due on %(date)s.") % {
        "date": context["deadline"]
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//DGSN//Annual review//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:annual-review-meeting-{context['year']}@{host}",
        f"DTSTAMP:{timezone.now().astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + datetime.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{settings.SITE_URL.rstrip('/')}{context.get('path', '/')}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)
