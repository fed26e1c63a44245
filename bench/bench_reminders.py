"""Due reminders for 500 units × 3 recipients (head + 2 editors): SQL queries and time to compute and send.

The locmem e-mail backend stands for the mail server. The queries must not grow with the number of
units: computing is a fixed handful of batched queries per reminder kind (on PostgreSQL; SQLite caps an
INSERT at 999 parameters, so there the claim INSERTs grow with rows), sending a fixed handful per
call (one lock, one update), whatever the number of messages.
"""

import datetime
import time

import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directorates.models import Directorate, Membership, User
from notifications import services
from notifications.models import Delivery
from reviews.models import ReviewCycle
from tests.factories import office_user


def _build(n_units, start):
    units = Directorate.objects.bulk_create([
        Directorate(code=f"B{i:05d}", kind=Directorate.Kind.PROVINCIAL_SECURITY, name_fr=f"Sûreté {i}",
                    name_ar=f"الأمن {i}", name_en=f"Security {i}", path=f"B{i:05d}/")
        for i in range(start, start + n_units)
    ])
    users = User.objects.bulk_create([
        User(username=f"b{unit.code}-{k}", email=f"b{unit.code}-{k}@dgsn.local", language=("fr", "ar", "en")[k])
        for unit in units for k in range(3)
    ])
    roles = [Membership.Role.HEAD, Membership.Role.EDITOR, Membership.Role.EDITOR]
    Membership.objects.bulk_create([
        Membership(user=user, directorate=units[i // 3], role=roles[i % 3]) for i, user in enumerate(users)
    ])


def _measure(label, function):
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return result, len(ctx), elapsed


def run():
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    cycle = ReviewCycle.objects.create(year=2031, submission_deadline=datetime.date(2031, 12, 9),
                                       meeting_date=datetime.date(2031, 12, 22))
    office_user(username="bench-office", email="office@dgsn.local")
    built = 0
    for day, n_units in ((datetime.date(2031, 11, 9), 100), (datetime.date(2031, 11, 25), 500)):
        _build(n_units - built, built)
        built = n_units
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0)).astimezone(), tick=False):
            created, q_compute, t_compute = _measure("compute", services.reminders_compute_due)
            ids = list(Delivery.objects.to_send(datetime.datetime.now().astimezone()).values_list("pk", flat=True))
            result, q_send, t_send = _measure("send", lambda: services.deliveries_send(ids=ids))
            _, q_again, t_again = _measure("again", services.reminders_compute_due)
        days = (cycle.submission_deadline - day).days
        print(f"   {n_units} units × 3 people, J-{days}: {sum(created.values())} new messages "
              f"({created['deadline_reminder']} reminders, {created['meeting_invitation']} invitations)")
        print(f"     compute and claim: {q_compute} queries, {t_compute * 1000:.0f} ms")
        print(f"     send {result['sent']} e-mails (plain text + HTML, .ics): {q_send} queries, "
              f"{t_send * 1000:.0f} ms ({t_send / max(result['sent'], 1) * 1000:.2f} ms per message)")
        print(f"     due-check again the same day: {q_again} queries, {t_again * 1000:.0f} ms, nothing new")
