"""A worker lost after the mail server accepted part of its batch: the next send does not send those again.

No worker here: the crash is simulated in-process (an exception no ``except Exception`` catches,
raised by the mail backend, rolls the send's transaction back as a SIGKILL would). The cache is
local memory, the mail backend the locmem one.
"""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.mail.backends.locmem import EmailBackend

from notifications import services
from notifications.models import Delivery
from tests.notifications.conftest import deadline_minus

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in deliveries_send records it as a failure."""


class DyingBackend(EmailBackend):
    """The locmem backend, whose worker dies before handing the mail server message number ``survive + 1``."""

    survive = 2
    handed = 0

    def send_messages(self, messages):
        if DyingBackend.handed >= DyingBackend.survive:
            raise WorkerKilled
        DyingBackend.handed += len(messages)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "notifications-sent-markers",
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def waiting(cycle, alice, bob, charlie, olga, report_a, at):
    """The J-7 reminders (alice, bob, charlie) and the meeting invitations, claimed and not sent."""
    at(deadline_minus(cycle, 7))
    services.reminders_compute_due()
    rows = list(Delivery.objects.select_related("recipient").order_by("pk"))
    assert len(rows) >= 4 and all(row.state == Delivery.State.PENDING for row in rows)
    return rows


def message_ids(messages):
    return [message.extra_headers["Message-ID"] for message in messages]


def test_rows_marked_sent_in_the_cache_but_waiting_in_the_database_are_not_sent_again(waiting, monkeypatch):
    accepted_at = datetime.datetime(2022, 12, 1, 9, 59, 30, tzinfo=datetime.UTC)
    for row in waiting[:2]:  # a worker handed these two to the mail server, then was killed
        cache.set(services._sent_marker_key(row), accepted_at.isoformat())
    calls = []
    monkeypatch.setattr(
        EmailBackend,
        "send_messages",
        lambda self, messages: calls.append(messages) or mail.outbox.extend(messages) or len(messages),
    )

    result = services.deliveries_send(ids=[row.pk for row in waiting])

    assert result["sent"] == len(waiting)
    assert len(calls) == len(waiting) - 2  # the backend is never called for the two already sent
    assert len(mail.outbox) == len(waiting) - 2
    assert not {f"<notification-{row.pk}@127.0.0.1>" for row in waiting[:2]} & set(message_ids(mail.outbox))
    rows = {row.pk: row for row in Delivery.objects.all()}
    assert all(row.state == Delivery.State.SENT and row.attempts == 1 for row in rows.values())
    assert {rows[row.pk].sent_at for row in waiting[:2]} == {accepted_at}  # when the server accepted them
    assert {rows[row.pk].sent_at for row in waiting[2:]} != {accepted_at}


def test_a_send_killed_mid_batch_and_run_again_sends_each_message_once(waiting, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_sent_markers.DyingBackend"
    DyingBackend.handed = 0
    ids = [row.pk for row in waiting]
    with pytest.raises(WorkerKilled):
        services.deliveries_send(ids=ids)  # two messages reach the server, then the worker dies
    assert len(mail.outbox) == 2
    assert not Delivery.objects.exclude(state=Delivery.State.PENDING).exists()  # rolled back

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result = services.deliveries_send(ids=ids)  # the next worker

    assert result["sent"] == len(waiting)
    sent = message_ids(mail.outbox)
    assert len(sent) == len(set(sent)) == len(waiting)  # none twice, none missing
    assert Delivery.objects.filter(state=Delivery.State.SENT, attempts=1).count() == len(waiting)


def test_the_send_makes_the_same_queries_with_or_without_rows_a_lost_worker_had_sent(
    waiting, django_assert_num_queries
):
    for row in waiting[:2]:
        cache.set(services._sent_marker_key(row), "2022-12-01T09:59:30+00:00")
    # savepoint, lock, one update of every sent row, the rows as sent and one insert of their history
    # rows (a delivery's state changes are history), release
    with django_assert_num_queries(6):
        services.deliveries_send(ids=[row.pk for row in waiting])


def test_a_message_sent_again_by_hand_is_not_taken_for_one_already_sent(waiting, olga):
    row = waiting[0]
    services.deliveries_send(ids=[row.pk])
    services.delivery_resend(actor=olga, delivery=row)  # its marker (if still there) is for attempt 0
    assert services.deliveries_send(ids=[row.pk])["sent"] == 1
    assert message_ids(mail.outbox).count(f"<notification-{row.pk}@127.0.0.1>") == 2


def test_a_cache_that_fails_never_fails_a_send(waiting, monkeypatch, caplog, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for method in ("get_many", "set", "delete_many"):
        monkeypatch.setattr(LocMemCache, method, broken)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.deliveries_send(ids=[row.pk for row in waiting])

    assert result == {"sent": len(waiting), "in_app": 0, "failed": []}
    assert len(mail.outbox) == len(waiting)
    assert Delivery.objects.filter(state=Delivery.State.SENT, attempts=1).count() == len(waiting)
    assert "sent-message markers failed" in caplog.text and "in the cache failed" in caplog.text
