"""Milestone reminders go through the shared reminder machinery: due soon, overdue, once each."""

import datetime

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


def test_heads_are_reminded_two_weeks_before_a_milestone_once(
    approved, alice, bob, charlie, django_capture_on_commit_callbacks
):
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
            services.progress_record(
                actor=alice,
                milestone=milestone,
                value=milestone.target_value,
                comment="atteint",
                recorded_on=due.replace(day=1),
            )
    with time_machine.travel(f"{due.replace(day=due.day - 10)} 10:00 +01:00", tick=False):
        assert ("milestone_due", "alice") not in milestone_rows(dispatch(django_capture_on_commit_callbacks))


def _overdue_rows(rows):
    return [r for r in rows if r.kind == "milestone_overdue"]


def test_overdue_milestones_come_as_one_weekly_digest_per_unit_and_head(
    approved, alice, charlie, django_capture_on_commit_callbacks
):
    """At national scale one message per milestone was 12,946 rows a week: each head gets one digest a
    week for their unit, listing its overdue milestones, the oldest first."""
    due = q2_due(approved)
    later = due.replace(month=due.month + 1, day=3)
    late_by_unit = {}
    for milestone in Milestone.objects.filter(objective__roadmap=approved, due_date__lt=later).select_related(
        "objective__owner"
    ):
        late_by_unit.setdefault(milestone.objective.owner.code, []).append(milestone)
    assert sum(map(len, late_by_unit.values())) > len(late_by_unit)  # several milestones late per unit
    mail.outbox.clear()
    with time_machine.travel(f"{later} 10:00 +01:00", tick=False):
        first = _overdue_rows(dispatch(django_capture_on_commit_callbacks))
        same_week = _overdue_rows(dispatch(django_capture_on_commit_callbacks))
    with time_machine.travel(f"{later + datetime.timedelta(days=7)} 10:00 +01:00", tick=False):
        next_week = _overdue_rows(dispatch(django_capture_on_commit_callbacks))
    recipients = sorted((r.directorate.code, r.recipient.username) for r in first)
    assert recipients == sorted(set(recipients))  # one per unit and head
    assert ("SP-A", "alice") in recipients
    digest = next(r for r in first if r.recipient == alice)
    assert digest.context["count"] == len(late_by_unit["SP-A"])
    assert {m["title"] for m in digest.context["milestones"]} == {m.title for m in late_by_unit["SP-A"]}
    dates = [m["due"] for m in digest.context["milestones"]]
    assert dates == sorted(dates)
    assert same_week == []
    assert sorted((r.directorate.code, r.recipient.username) for r in next_week) == recipients
    link = f"/objectives/{late_by_unit['SP-A'][0].objective_id}/"
    message = next(m for m in mail.outbox if m.to == [alice.email] and link in m.body)
    assert str(len(late_by_unit["SP-A"])) in message.subject  # how many, in the recipient's language
    assert all(m.title in message.body for m in late_by_unit["SP-A"])


def test_the_overdue_digest_queries_do_not_grow_with_the_milestones(approved, django_assert_num_queries):
    from notifications import registry

    kind = registry.get("milestone_overdue")
    due = q2_due(approved)
    today = due.replace(month=due.month + 1, day=3)
    with django_assert_num_queries(3):  # milestones, units, heads
        small = list(kind.due(today=today, now=None, policies={}))
    Milestone.objects.bulk_create(
        [
            Milestone(
                objective=milestone.objective,
                title=f"Extra {n}",
                due_date=today - datetime.timedelta(days=n + 1),
                position=10 + n,
            )
            for n, milestone in enumerate(list(Milestone.objects.filter(objective__roadmap=approved)[:1]) * 40)
        ]
    )
    with django_assert_num_queries(3):
        large = list(kind.due(today=today, now=None, policies={}))
    assert len(large) == len(small)
    counts = {due.recipient_id: due.context["count"] for due in large}
    assert sum(counts.values()) > sum(due.context["count"] for due in small)
    assert max(len(due.context["milestones"]) for due in large) == 30  # listed; the rest counted in "more"
