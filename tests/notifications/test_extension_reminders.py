"""Reminders, the overdue notices and the office digest follow a unit's own (extended) deadline,
and the unit is told of its extension at once, in each recipient's language."""

import datetime

import pytest
from django.core import mail

from notifications.models import Delivery
from reviews import services as review_services

pytestmark = pytest.mark.django_db

EXTENDED = datetime.date(2022, 12, 16)


@pytest.fixture
def extended(cycle, alice, bob, charlie, olga, report_a, at, django_capture_on_commit_callbacks):
    """Unit A's deadline moved from 9 to 16 December; unit B (charlie) keeps the cycle's."""
    at("2022-11-20")
    with django_capture_on_commit_callbacks(execute=True):
        review_services.report_extend_deadline(
            actor=olga, report=report_a, until=EXTENDED, reason="Nouveau chef d'unité."
        )
    return report_a


def kinds(rows, kind):
    return sorted((row.recipient.username, row.occasion.rsplit("/", 1)[-1]) for row in rows if row.kind == kind)


def test_the_unit_is_told_of_its_extension_at_once(extended):
    notices = Delivery.objects.filter(kind="deadline_extended").select_related("recipient")
    assert sorted(d.recipient.username for d in notices) == ["alice", "bob"]
    assert all(d.state == Delivery.State.SENT for d in notices)
    message = next(m for m in mail.outbox if m.to == ["bob@dgsn.local"])
    assert "deadline extended to 16 December 2022" in message.subject  # day before month (config/formats/en)
    assert "Nouveau chef d'unité." in message.body


def test_the_extension_notice_is_in_the_recipients_language(
    cycle, alice, bob, olga, report_a, at, django_capture_on_commit_callbacks
):
    bob.language = "ar"
    bob.save()
    at("2022-11-20")
    with django_capture_on_commit_callbacks(execute=True):
        review_services.report_extend_deadline(actor=olga, report=report_a, until=EXTENDED, reason="سبب")
    message = next(m for m in mail.outbox if m.to == ["bob@dgsn.local"])
    assert "تمديد الأجل" in message.subject


def test_the_due_check_sends_a_missed_extension_notice_once(extended, dispatch):
    """A notice lost with the broker is claimed by the next due-check, and only once."""
    Delivery.objects.filter(kind="deadline_extended").delete()
    occasion = f"extension:{extended.extensions.get().pk}"
    assert kinds(dispatch(), "deadline_extended") == [("alice", occasion), ("bob", occasion)]
    assert kinds(dispatch(), "deadline_extended") == []


def test_reminders_before_the_deadline_count_from_each_units_own_date(extended, at, dispatch):
    at("2022-12-02")  # J-7 for unit B, J-14 for unit A
    assert kinds(dispatch(), "deadline_reminder") == [("alice", "d-14"), ("bob", "d-14"), ("charlie", "d-7")]
    at("2022-12-08")  # J-1 for unit B, J-8 for unit A
    assert kinds(dispatch(), "deadline_reminder") == [("charlie", "d-1")]
    at("2022-12-09")  # J-0 for B, J-7 for A
    rows = kinds(dispatch(), "deadline_reminder")
    assert ("alice", "d-7") in rows and ("bob", "d-7") in rows
    at("2022-12-15")  # J-1 for A
    assert kinds(dispatch(), "deadline_reminder") == [("alice", "d-1"), ("bob", "d-1")]


def test_no_overdue_reminder_before_the_extended_date(extended, at, dispatch):
    at("2022-12-12")
    assert kinds(dispatch(), "overdue_reminder") == [("charlie", "overdue:2022-12-12")]
    at("2022-12-17")
    assert kinds(dispatch(), "overdue_reminder") == [("alice", "overdue:2022-12-17"), ("charlie", "overdue:2022-12-17")]


def test_the_office_digest_lists_a_unit_only_after_its_own_date(extended, at, dispatch):
    at("2022-12-12")
    digest = [row for row in dispatch() if row.kind == "office_digest"]
    listed = [unit["unit_code"] for unit in digest[0].context["units"]]
    assert "WS-B" in listed and "SP-A" not in listed
    at("2022-12-18")
    digest = [row for row in dispatch() if row.kind == "office_digest"]
    units = {unit["unit_code"]: unit["days_late"] for unit in digest[0].context["units"]}
    assert units["SP-A"] == 2 and units["WS-B"] == 9
