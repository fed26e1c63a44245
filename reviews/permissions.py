"""Who may do what with a report and a cycle. One place, used by selectors, services and the UI.

Rights granted per person (Django permissions, one group each, see directorates.permissions):
returning and accepting reports, managing review cycles.
"""

from directorates import permissions as unit_permissions
from reviews.models import EDITABLE_STATES, REPORT_TRANSITIONS, ReportState

REVIEW_REPORTS = "reviews.review_report"
MANAGE_CYCLES = "reviews.manage_cycles"
GROUPS = {REVIEW_REPORTS: "Review reports", MANAGE_CYCLES: "Manage cycles"}


def can_view_report(user, report):
    return unit_permissions.can_view_unit(user, report.directorate)


def can_edit_report(user, report):
    return (
        report.state in EDITABLE_STATES
        and report.cycle.is_open
        and unit_permissions.can_edit_unit_content(user, report.directorate)
    )


def can_start_report(user, directorate):
    return unit_permissions.can_edit_unit_content(user, directorate)


def can_review(user):
    """Returning and accepting reports: the DG's office's people given the right."""
    return unit_permissions.has_right(user, REVIEW_REPORTS)


def can_extend_deadline(user, report):
    """The DG's office may give a unit more time while its report is still being written."""
    return can_review(user) and report.cycle.is_open and report.state in EDITABLE_STATES


def can_manage_cycles(user):
    """Opening and closing cycles, re-sending reminders."""
    return unit_permissions.has_right(user, MANAGE_CYCLES, administrators=True)


def can_see_history(user):
    return user.is_authenticated and user.sees_everything


def may_move(user, report, to_state):
    """Whether ``user`` may move ``report`` to ``to_state`` now (role and state, not content)."""
    if to_state not in REPORT_TRANSITIONS[ReportState(report.state)]:
        return False
    if to_state == ReportState.SUBMITTED:
        return report.cycle.is_open and unit_permissions.is_unit_head(user, report.directorate)
    if to_state in (ReportState.RETURNED, ReportState.ACCEPTED):
        return report.cycle.is_open and can_review(user)
    if to_state == ReportState.LOCKED:
        return can_manage_cycles(user)
    return False


def available_transitions(user, report):
    """The buttons to show: user-triggered moves only (locking happens when the cycle closes)."""
    return [
        state
        for state in (ReportState.SUBMITTED, ReportState.RETURNED, ReportState.ACCEPTED)
        if may_move(user, report, state)
    ]


def can_discuss_item(user, report):
    """The thread of a flagged item: the unit's head and editors answer, the DG's office answers back,
    while the review goes on (the report returned or resubmitted, the cycle open)."""
    if not report.cycle.is_open or report.state not in (ReportState.RETURNED, ReportState.SUBMITTED):
        return False
    return is_thread_party(user, report)


def is_thread_party(user, report):
    """Who writes in the threads of a report's flagged items, whatever the report's state: the unit's head
    and editors, and the DG's office's people who review reports."""
    return can_review(user) or unit_permissions.can_edit_unit_content(user, report.directorate)
