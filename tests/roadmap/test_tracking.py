"""Progress on milestones (heads of the owner unit only) and the computed status at its edges."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from roadmap import selectors, services
from roadmap.models import ObjectiveStatus
from roadmap.status import objective_status
from tests.roadmap.conftest import add_milestones

ROLES = ["alice", "bob", "victor", "charlie", "rita", "olga", "dino", "oscar", "root"]


@pytest.fixture
def objective_a(approved, unit_a, olga):
    objective = approved.objectives.filter(owner=unit_a, state="active").order_by("ref").first()
    objective._viewer = olga
    return objective


def status_on(objective, text):
    """The status computed by the database, as the lists compute it, on the date ``text``."""
    objective = selectors.objective_queryset(user=objective._viewer).get(pk=objective.pk)
    return objective_status(objective, datetime.date.fromisoformat(text))


def record(actor, objective, index, value, on):
    milestone = objective.milestones.order_by("due_date")[index]
    with time_machine.travel(f"{on} 12:00 +01:00", tick=False):
        return services.progress_record(actor=actor, milestone=milestone, value=value, comment="c", evidence="e")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_units_head_records_progress(request, role, objective_a, in_2023):
    actor = request.getfixturevalue(role)
    milestone = objective_a.milestones.first()
    if role == "alice":
        update = services.progress_record(
            actor=actor, milestone=milestone, value=Decimal("12.5"), comment="Avance", evidence="PV"
        )
        assert (update.value, update.recorded_by, update.recorded_on) == (
            Decimal("12.5"),
            actor,
            datetime.date(2023, 1, 10),
        )
        assert update.history.count() == 1
    else:
        with pytest.raises(NotAllowed):
            services.progress_record(actor=actor, milestone=milestone, value=1)
        assert not milestone.progress.exists()


def test_a_head_cannot_record_progress_on_another_units_milestone(approved, charlie, unit_a, in_2023):
    objective = approved.objectives.filter(owner=unit_a).first()
    with pytest.raises(NotAllowed):
        services.progress_record(actor=charlie, milestone=objective.milestones.first(), value=1)


def test_progress_waits_for_approval(draft, olga, alice, unit_a, in_2023):
    objective = draft.objectives.filter(owner=unit_a).first()
    add_milestones(objective, olga, [{"title": "T1", "quarter": 1, "target_value": 10}])
    with pytest.raises(InvalidTransition):
        services.progress_record(actor=alice, milestone=objective.milestones.first(), value=1)


def test_progress_cannot_be_dated_in_the_future(objective_a, alice, in_2023):
    with pytest.raises(ValidationFailed):
        services.progress_record(
            actor=alice, milestone=objective_a.milestones.first(), value=1, recorded_on=datetime.date(2023, 2, 1)
        )


# objective_a's milestones: Phase 1 due 2023-06-30 (end of Q2), target 50;
#                            Phase 2 due 2023-12-31 (end of Q4), target 100.


def test_on_track_far_from_any_due_date(objective_a):
    assert status_on(objective_a, "2023-01-10") == ObjectiveStatus.ON_TRACK


def test_no_progress_is_at_risk_from_fourteen_days_before_the_due_date(objective_a):
    assert status_on(objective_a, "2023-06-15") == ObjectiveStatus.ON_TRACK  # 15 days left
    assert status_on(objective_a, "2023-06-16") == ObjectiveStatus.AT_RISK  # 14 days left


def test_progress_below_half_the_target_is_at_risk_from_thirty_days_before(objective_a, alice):
    record(alice, objective_a, 0, 24, "2023-05-01")
    assert status_on(objective_a, "2023-05-30") == ObjectiveStatus.ON_TRACK  # 31 days left
    assert status_on(objective_a, "2023-05-31") == ObjectiveStatus.AT_RISK  # 30 days left


def test_progress_at_half_the_target_is_on_track(objective_a, alice):
    record(alice, objective_a, 0, 25, "2023-05-01")
    assert status_on(objective_a, "2023-06-29") == ObjectiveStatus.ON_TRACK


def test_late_the_day_after_an_unreached_due_date(objective_a, alice):
    record(alice, objective_a, 0, 40, "2023-06-01")
    assert status_on(objective_a, "2023-06-30") == ObjectiveStatus.ON_TRACK  # due today: not late yet
    assert status_on(objective_a, "2023-07-01") == ObjectiveStatus.LATE


def test_a_reached_milestone_is_never_late(objective_a, alice):
    record(alice, objective_a, 0, 50, "2023-06-01")
    assert status_on(objective_a, "2023-07-01") == ObjectiveStatus.ON_TRACK


def test_the_latest_value_counts(objective_a, alice):
    record(alice, objective_a, 0, 50, "2023-05-01")
    record(alice, objective_a, 0, 30, "2023-06-01")  # revised down
    assert status_on(objective_a, "2023-07-01") == ObjectiveStatus.LATE


def test_done_when_every_milestone_reached_its_target(objective_a, alice):
    record(alice, objective_a, 0, 50, "2023-06-01")
    assert status_on(objective_a, "2023-06-02") != ObjectiveStatus.DONE
    record(alice, objective_a, 1, 100, "2023-11-30")
    assert status_on(objective_a, "2023-12-01") == ObjectiveStatus.DONE
    assert status_on(objective_a, "2024-03-01") == ObjectiveStatus.DONE


def test_late_wins_over_at_risk(objective_a):
    assert status_on(objective_a, "2023-12-20") == ObjectiveStatus.LATE  # phase 1 past, phase 2 at risk


def test_an_objective_without_milestones_has_no_plan_yet(draft, olga):
    objective = selectors.objective_queryset(user=olga).filter(roadmap=draft).first()
    assert objective_status(objective, datetime.date(2023, 12, 31)) == ObjectiveStatus.NO_PLAN


def test_objectives_without_a_plan_are_counted_apart_on_the_dashboard(client, draft, olga):
    from django.urls import reverse

    objectives = selectors.objective_list(user=olga, year=draft.year)
    summary = selectors.tracking_summary(objectives)
    assert summary["by_status"]["no_plan"] == len(objectives) > 0
    assert summary["by_status"]["on_track"] == 0
    client.force_login(olga)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("roadmap:detail", args=[draft.year])).content.decode()
    assert 'data-status="no_plan"' in html and "No plan yet" in html
    assert "<th>No plan yet</th>" in html


def test_a_unit_sees_only_its_own_objectives_once_approved(approved, alice, charlie, olga, unit_a, unit_b):
    assert {o.owner for o in selectors.objective_list(user=alice, year=2023)} == {unit_a}
    assert {o.owner for o in selectors.objective_list(user=charlie, year=2023)} == {unit_b}
    assert {o.owner for o in selectors.objective_list(user=olga, year=2023)} == {unit_a, unit_b}


def test_a_unit_does_not_see_a_draft_roadmap(draft, alice):
    assert list(selectors.objective_list(user=alice, year=2023)) == []


def test_reminder_hook_lists_milestones_due_soon_and_overdue(objective_a, alice):
    record(alice, objective_a, 1, 100, "2023-06-01")  # phase 2 already reached: no reminder for it
    due = selectors.milestones_due(datetime.date(2023, 6, 20), within_days=14)
    assert [(r.unit.code, r.due_date.isoformat(), r.days) for r in due if r.objective == objective_a] == [
        ("SP-A", "2023-06-30", 10)
    ]
    assert [h.username for h in due[0].heads] in (["alice"], ["charlie"])
    overdue = selectors.milestones_overdue(datetime.date(2023, 7, 2))
    mine = [r for r in overdue if r.objective == objective_a]
    assert [(r.days, r.latest_value) for r in mine] == [(-2, None)]


def test_reminder_hook_query_count_is_fixed(approved, django_assert_num_queries):
    with django_assert_num_queries(2):  # milestones+objective+unit with their latest value, heads
        selectors.milestones_overdue(datetime.date(2024, 1, 5))


def test_status_as_of_a_past_date_ignores_progress_recorded_later(objective_a, alice):
    record(alice, objective_a, 0, 50, "2023-06-01")
    record(alice, objective_a, 1, 100, "2023-06-01")
    # Asked later (progress is never recorded for a future date): the dates asked are in the past.
    with time_machine.travel("2023-07-01 12:00 +01:00", tick=False):
        assert status_on(objective_a, "2023-06-02") == ObjectiveStatus.DONE
        assert status_on(objective_a, "2023-05-31") == ObjectiveStatus.ON_TRACK  # nothing recorded yet, 30 days left
        assert status_on(objective_a, "2023-06-20") == ObjectiveStatus.DONE
        # As of today or later, the progress stored on each milestone is the latest: the same answer.
        assert status_on(objective_a, "2023-07-01") == ObjectiveStatus.DONE


def test_reminder_hook_query_count_does_not_grow(approved, olga, dino, django_assert_num_queries):
    from roadmap.models import Roadmap
    from tests.factories import DirectorateFactory

    with django_assert_num_queries(2):
        first = selectors.milestones_overdue(datetime.date(2024, 1, 5))
    roadmap = services.roadmap_new_version(actor=olga, roadmap=approved)
    for _ in range(4):
        o = services.objective_create(actor=olga, roadmap=roadmap, owner=DirectorateFactory(), title="x")
        services.milestones_set(actor=olga, objective=o, milestones=[{"title": "a", "quarter": 3}])
    services.roadmap_propose(actor=olga, roadmap=roadmap)
    services.roadmap_approve(actor=dino, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    with django_assert_num_queries(2):
        second = selectors.milestones_overdue(datetime.date(2024, 1, 5))
    assert len(second) == len(first) + 4


def test_each_milestone_keeps_its_latest_progress_for_todays_statuses(objective_a, alice):
    """progress_record stores the latest value and date on the milestone; an older date does not replace it."""
    record(alice, objective_a, 0, 30, "2023-05-01")
    record(alice, objective_a, 0, 10, "2023-05-20")
    milestone = objective_a.milestones.order_by("due_date").first()
    assert (milestone.progress_value, milestone.progress_on) == (10, datetime.date(2023, 5, 20))
    with time_machine.travel("2023-05-25 12:00 +01:00", tick=False):
        services.progress_record(actor=alice, milestone=milestone, value=45, recorded_on=datetime.date(2023, 5, 2))
    milestone.refresh_from_db()
    assert (milestone.progress_value, milestone.progress_on) == (10, datetime.date(2023, 5, 20))
    assert status_on(objective_a, "2023-06-20") == ObjectiveStatus.AT_RISK  # 10 < half of 50, due in 10 days
    assert status_on(objective_a, "2023-05-10") == ObjectiveStatus.ON_TRACK  # as of then: 45 recorded on 2 May


@pytest.mark.parametrize(
    "today, as_of",
    [
        ("2023-03-01", None),
        ("2023-06-20", None),
        ("2023-07-05", None),
        ("2024-01-05", None),
        ("2024-01-05", "2023-06-20"),
        ("2024-01-05", "2023-05-31"),
    ],
)
def test_status_filter_and_counts_agree_with_each_objectives_status(approved, unit_a, olga, alice, today, as_of):
    """The status filter (a semi-join on the milestones grouped by objective) and the national counts
    (milestones grouped by objective, joined) give what each objective's own status says, on every date."""
    from collections import Counter

    from tests.factories import DirectorateFactory

    mine = approved.objectives.filter(owner=unit_a, state="active").order_by("ref")
    record(alice, mine[0], 0, 50, "2023-06-01")
    record(alice, mine[0], 1, 100, "2023-06-01")  # done from 1 June
    record(alice, mine[1], 0, 10, "2023-06-10")  # phase 1 below half its target: at risk, then late
    services.roadmap_new_version(actor=olga, roadmap=approved)
    services.objective_create(actor=olga, roadmap=approved, owner=DirectorateFactory(), title="Sans jalon")
    as_of = datetime.date.fromisoformat(as_of) if as_of else None
    with time_machine.travel(f"{today} 12:00 +01:00", tick=False):
        statuses = {o.pk: o.status for o in selectors.objective_list(user=olga, year=2023, as_of=as_of)}
        assert len(set(statuses.values())) >= 2, statuses  # the dates chosen mix statuses
        for status in ObjectiveStatus.values:
            filtered = selectors.objective_list(user=olga, year=2023, as_of=as_of, status=status)
            assert {o.pk for o in filtered} == {pk for pk, s in statuses.items() if s == status}, status
        summary = selectors.tracking_summary(selectors.objective_list(user=olga, year=2023, as_of=as_of), as_of)
        assert summary["by_status"] == {**dict.fromkeys(ObjectiveStatus.values, 0), **Counter(statuses.values())}
        assert sum(row["total"] for row in summary["by_unit"]) == len(statuses)
