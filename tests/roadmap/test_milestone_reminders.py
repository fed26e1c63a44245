"""Milestone reminders go through the shared reminder machinery: due soon, overdue, once each."""

import time_machine
from django.core import mail

from notifications import services as notification_services
from notifications.models import Delivery
from roadmap import services
from roadmap.models import Milestone


def dispatch(django_capture_on_commit_callbacks):
    before = set(Delivery.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        notification_services.reminders_dispatch()
    return list(Delivery.objects.exclude(pk__in=before).select_related("recipient").order_by("pk"))


def milestone_rows(rows):
    return [(r.kind, r.recipient.username) for r in rows if r.kind.startswith("milestone")]


def q2_due(approved):
    return Milestone.objects.filter(objective__roadmap=approved, quarter=2).order_by("due_date").first().due_date


def test_heads_are_reminded_two_weeks_before_a_milestone_once(approved, alice, bob, charlie,
                                                              django_capture_on_commit_callbacks):
    due = q2_due(approved)
    with time_machine.travel(f"{due.replace(day=due.day - 10)} 10:00 +01:00", tick=False):
        rows = dispatch(django_capture_on_commit_callbacks)
        again = dispatch(django_capture_on_commit_callbacks)
    kinds = milestone_rows(rows)
    # The owner units' heads record progress (unit B owns a priority objective); editors are not asked.
    assert set(kinds) == {("milestone_due", "alice"), ("milestone_due", "charlie")}
    assert milestone_rows(again) == []
    message = next(m for m in mail.outbox if "Phase 1" in m.subject)
    assert "/objectives/" in message.body


def test_overdue_milestone_is_reminded_weekly_until_reached(approved, alice, django_capture_on_commit_callbacks):
    due = q2_due(approved)
    with time_machine.travel(f"{due.replace(month=due.month + 1, day=3)} 10:00 +01:00", tick=False):
        first = milestone_rows(dispatch(django_capture_on_commit_callbacks))
        same_week = milestone_rows(dispatch(django_capture_on_commit_callbacks))
    assert ("milestone_overdue", "alice") in first and same_week == []


def test_a_reached_milestone_is_not_reminded(approved, alice, django_capture_on_commit_callbacks):
    due = q2_due(approved)
    for milestone in Milestone.objects.filter(objective__roadmap=approved, quarter=2, objective__owner__code="SP-A"):
        with time_machine.travel(f"{due.replace(day=1)} 09:00 +01:00", tick=False):
            services.progress_record(actor=alice, milestone=milestone, value=milestone.target_value,
                                     comment="atteint", recorded_on=due.replace(day=1))
    with time_machine.travel(f"{due.replace(day=due.day - 10)} 10:00 +01:00", tick=False):
        assert ("milestone_due", "alice") not in milestone_rows(dispatch(django_capture_on_commit_callbacks))
