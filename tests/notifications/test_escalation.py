"""Escalation up the tree: an overdue unit is reported once to the head of its parent unit after the
policy's days, then once to the DG's office, in each recipient's language."""

import pytest
from django.core import mail

from notifications.models import Delivery, ReminderPolicy
from reviews import services as review_services
from tests.conftest import fill

pytestmark = pytest.mark.django_db


def escalations(rows):
    return sorted(
        (row.recipient.username, row.directorate.code, row.occasion.rsplit("/", 1)[-1])
        for row in rows
        if row.kind == "escalation"
    )


@pytest.fixture
def cast(cycle, alice, bob, rita, charlie, olga, report_a):
    """Unit A (head alice) under region R (head rita) has a draft; unit B (head charlie, no parent) has none."""
    return report_a


def test_nothing_is_escalated_before_the_policys_days(cast, at, dispatch):
    at("2022-12-11")  # two days late: the parent is told from the third
    assert escalations(dispatch()) == []


def test_the_parent_head_is_told_once_then_the_office_once(cast, at, dispatch):
    at("2022-12-12")  # three days late
    # Unit B and region R have no parent: only unit A goes up to its parent's head.
    assert escalations(dispatch()) == [("rita", "SP-A", "escalation:parent:late")]
    at("2022-12-13")
    assert escalations(dispatch()) == []  # each step once
    at("2022-12-16")  # seven days late: the office, once per overdue unit
    assert escalations(dispatch()) == [
        ("olga", "SP-A", "escalation:office:late"),
        ("olga", "WS-B", "escalation:office:late"),
        ("olga", "WS-R", "escalation:office:late"),
    ]
    at("2022-12-17")
    assert escalations(dispatch()) == []


def test_the_message_names_the_unit_and_the_delay(cast, at, dispatch):
    at("2022-12-12")
    dispatch()
    message = next(m for m in mail.outbox if m.to == ["rita@dgsn.local"] and "Escalation" in m.subject)
    assert "SP-A" in message.subject and "3 days overdue" in message.subject
    assert "head of the unit it reports to" in message.body


def test_the_message_is_in_the_recipients_language(cast, rita, at, dispatch):
    rita.language = "ar"
    rita.save()
    at("2022-12-12")
    dispatch()
    message = next(m for m in mail.outbox if m.to == ["rita@dgsn.local"] and m.subject.startswith("تصعيد"))
    assert "SP-A" in message.subject


def test_a_unit_with_an_extension_is_escalated_from_its_own_date(
    cast, olga, at, dispatch, django_capture_on_commit_callbacks
):
    import datetime

    at("2022-12-01")
    review_services.report_extend_deadline(
        actor=olga, report=cast, until=datetime.date(2022, 12, 16), reason="Mutation."
    )
    at("2022-12-12")
    assert ("rita", "SP-A", "escalation:parent:late") not in escalations(dispatch())
    at("2022-12-19")
    assert ("rita", "SP-A", "escalation:parent:late") in escalations(dispatch())


def test_a_returned_report_not_resubmitted_is_escalated_from_its_return(cast, alice, bob, olga, at, dispatch):
    at("2022-12-05")
    fill(cast, bob)
    review_services.report_submit(actor=alice, report=cast)
    at("2022-12-10")
    report = review_services.report_return(
        actor=olga, report=cast.__class__.objects.get(pk=cast.pk), comment="Précisez les chiffres."
    )
    at("2022-12-12")  # three days after the deadline, two after the return
    assert [e for e in escalations(dispatch()) if e[0] == "rita"] == []
    at("2022-12-13")
    event = report.events.filter(new_state="returned").get()
    assert ("rita", "SP-A", f"escalation:parent:returned:{event.pk}") in escalations(dispatch())


def test_a_policy_without_escalation_days_escalates_nothing(cast, cycle, at, dispatch):
    ReminderPolicy.objects.update_or_create(
        cycle=cycle, defaults={"escalate_to_parent_after": None, "escalate_to_office_after": None}
    )
    at("2022-12-20")
    assert escalations(dispatch()) == []
    assert not Delivery.objects.filter(kind="escalation").exists()
