"""Every report transition, allowed and refused, for every role of the cast."""

import datetime

import pytest
import time_machine

from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from reviews import services
from reviews.models import Report, ReportEvent, ReportState
from tests.conftest import fill

ROLES = ["alice", "bob", "victor", "charlie", "rita", "olga", "dino", "oscar", "root"]


def as_role(request, name):
    return request.getfixturevalue(name)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_unit_head_submits(request, role, filled_report, frozen):
    actor = as_role(request, role)
    if role == "alice":
        report = services.report_submit(actor=actor, report=filled_report)
        assert report.state == ReportState.SUBMITTED
        event = ReportEvent.objects.get(report=report)
        assert (event.old_state, event.new_state, event.actor) == ("draft", "submitted", actor)
    else:
        with pytest.raises(NotAllowed):
            services.report_submit(actor=actor, report=filled_report)
        assert Report.objects.get(pk=filled_report.pk).state == ReportState.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_only_the_dg_office_returns(request, role, submitted_report):
    actor = as_role(request, role)
    if role == "olga":
        report = services.report_return(actor=actor, report=submitted_report, comment="Chiffres manquants")
        assert report.state == ReportState.RETURNED
        assert report.events.last().comment == "Chiffres manquants"
    else:
        with pytest.raises(NotAllowed):
            services.report_return(actor=actor, report=submitted_report, comment="non")
        assert Report.objects.get(pk=submitted_report.pk).state == ReportState.SUBMITTED


@pytest.mark.parametrize("role", ROLES)
def test_only_the_dg_office_accepts(request, role, submitted_report):
    actor = as_role(request, role)
    if role == "olga":
        assert services.report_accept(actor=actor, report=submitted_report).state == ReportState.ACCEPTED
    else:
        with pytest.raises(NotAllowed):
            services.report_accept(actor=actor, report=submitted_report)
        assert Report.objects.get(pk=submitted_report.pk).state == ReportState.SUBMITTED


@pytest.mark.parametrize("role", ROLES)
def test_only_unit_writers_change_the_content(request, role, report_a):
    actor = as_role(request, role)
    if role in ("alice", "bob"):
        services.report_update(actor=actor, report=report_a, summary="Bilan")
        assert Report.objects.get(pk=report_a.pk).summary == "Bilan"
    else:
        with pytest.raises(NotAllowed):
            services.report_update(actor=actor, report=report_a, summary="Bilan")
        assert Report.objects.get(pk=report_a.pk).summary == ""


def test_returning_requires_a_comment(submitted_report, olga):
    with pytest.raises(ValidationFailed) as error:
        services.report_return(actor=olga, report=submitted_report, comment="  ")
    assert "comment" in error.value.errors


def test_accepting_a_draft_is_refused(filled_report, olga):
    with pytest.raises(InvalidTransition):
        services.report_accept(actor=olga, report=filled_report)


def test_accepting_a_returned_report_is_refused(submitted_report, olga):
    returned = services.report_return(actor=olga, report=submitted_report, comment="Corriger")
    with pytest.raises(InvalidTransition):
        services.report_accept(actor=olga, report=returned)


def test_submitting_twice_is_refused(submitted_report, alice):
    with pytest.raises(InvalidTransition):
        services.report_submit(actor=alice, report=submitted_report)


def test_a_stale_copy_cannot_move_a_report_already_moved(submitted_report, olga):
    stale = Report.objects.get(pk=submitted_report.pk)
    services.report_accept(actor=olga, report=submitted_report)
    with pytest.raises(InvalidTransition):
        services.report_return(actor=olga, report=stale, comment="trop tard")
    assert Report.objects.get(pk=stale.pk).state == ReportState.ACCEPTED


def test_submitted_report_is_read_only_for_the_unit(submitted_report, bob, alice):
    for actor in (bob, alice):
        with pytest.raises(InvalidTransition):
            services.report_update(actor=actor, report=submitted_report, summary="changé")
    assert Report.objects.get(pk=submitted_report.pk).summary == ""


def test_returned_report_is_editable_again_and_resubmitted(submitted_report, olga, bob, alice):
    returned = services.report_return(actor=olga, report=submitted_report, comment="Préciser")
    services.report_update(actor=bob, report=returned, summary="Précisé")
    again = services.report_submit(actor=alice, report=Report.objects.get(pk=returned.pk))
    assert again.state == ReportState.SUBMITTED
    assert [(e.old_state, e.new_state) for e in again.events.all()] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    ]


def test_submission_needs_every_outcome_stated(report_a, alice):
    with pytest.raises(ValidationFailed) as error:
        services.report_submit(actor=alice, report=report_a)
    assert len(error.value.errors["outcomes"]) == 2
    assert Report.objects.get(pk=report_a.pk).state == ReportState.DRAFT


def test_submission_before_the_deadline_is_on_time(filled_report, alice):
    with time_machine.travel("2022-12-09 23:00 +01:00", tick=False):
        report = services.report_submit(actor=alice, report=filled_report)
    assert report.submitted_late is False
    assert report.is_late(today=datetime.date(2022, 12, 20)) is False


def test_submission_after_the_deadline_is_marked_late(filled_report, alice):
    with time_machine.travel("2022-12-10 09:00 +01:00", tick=False):
        report = services.report_submit(actor=alice, report=filled_report)
    assert report.submitted_late is True


def test_unsubmitted_report_becomes_late_after_the_deadline(report_a):
    assert report_a.is_late(today=datetime.date(2022, 12, 9)) is False
    assert report_a.is_late(today=datetime.date(2022, 12, 10)) is True


def test_lateness_is_fixed_by_the_first_submission(filled_report, alice, olga, bob):
    with time_machine.travel("2022-12-01 09:00 +01:00", tick=False):
        report = services.report_submit(actor=alice, report=filled_report)
        report = services.report_return(actor=olga, report=report, comment="x")
    with time_machine.travel("2022-12-15 09:00 +01:00", tick=False):
        report = services.report_submit(actor=alice, report=report)
    assert report.submitted_late is False


def test_closing_the_cycle_locks_every_report(cycle, submitted_report, olga, charlie, unit_b):
    draft_b = services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
    services.cycle_close(actor=olga, cycle=cycle)
    for report in (submitted_report, draft_b):
        report.refresh_from_db()
        assert report.state == ReportState.LOCKED
        assert report.events.last().new_state == ReportState.LOCKED
        assert report.history.order_by("-history_id").first().state == ReportState.LOCKED


@pytest.mark.parametrize("role", ["alice", "bob", "charlie", "dino", "oscar"])
def test_only_office_or_admin_close_a_cycle(request, role, cycle):
    with pytest.raises(NotAllowed):
        services.cycle_close(actor=as_role(request, role), cycle=cycle)


def test_locked_report_refuses_every_move(cycle, submitted_report, olga, alice, root):
    services.cycle_close(actor=root, cycle=cycle)
    locked = Report.objects.get(pk=submitted_report.pk)
    with pytest.raises((InvalidTransition, NotAllowed)):
        services.report_accept(actor=olga, report=locked)
    with pytest.raises((InvalidTransition, NotAllowed)):
        services.report_return(actor=olga, report=locked, comment="x")
    with pytest.raises((InvalidTransition, NotAllowed)):
        services.report_submit(actor=alice, report=locked)


def test_closing_twice_is_refused(cycle, olga):
    services.cycle_close(actor=olga, cycle=cycle)
    with pytest.raises(InvalidTransition):
        services.cycle_close(actor=olga, cycle=cycle)


def test_no_report_starts_in_a_closed_cycle(cycle, olga, bob, unit_a):
    services.cycle_close(actor=olga, cycle=cycle)
    with pytest.raises(InvalidTransition):
        services.report_start(actor=bob, cycle=cycle, directorate=unit_a)


def test_fill_helper_states_every_outcome(report_a, bob):
    fill(report_a, bob)
    assert set(report_a.outcomes.values_list("status", flat=True)) == {"done"}
