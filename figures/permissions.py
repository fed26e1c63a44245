"""Who may read and write figures and the bilan. Used by selectors, services and the UI.

- Figures are a unit's data: read per ``directorates.permissions`` (own unit, a head's
  subtree, the DG's office everything).
- A unit's head and editors write its figures while its report for the year is a draft or
  returned, or before a report exists; accepted/locked reports lock them.
- The DG's office enters figures for units without a report of the year, in particular the
  national figures of the root unit (DGSN).
- The bilan: prepared (national figures, draft, publication) by the people holding the "prepare the
  bilan" right, approved by those holding "approve the bilan" (the DG); readable by every
  authenticated user once published. Rights are granted per person (directorates.permissions).
"""

from directorates import permissions as unit_permissions
from reviews.models import EDITABLE_STATES

PREPARE_BILAN = "figures.prepare_bilan"
APPROVE_BILAN = "figures.approve_bilan"
GROUPS = {PREPARE_BILAN: "Prepare the bilan", APPROVE_BILAN: "Approve the bilan"}


def is_dg_office(user):
    """The DG's office, the DG and administrators: they read draft bilans and national figures."""
    return unit_permissions.sees_every_unit(user)


def figure_write_problem(user, directorate, report):
    """Why ``user`` may not write ``directorate``'s figures for the year of ``report`` (None if allowed).

    ``report`` is the unit's reviews.Report for that year, or None when there is none yet.
    """
    from django.utils.translation import gettext as _

    if not user.is_authenticated or not user.is_active:
        return _("Log in to enter figures.")
    if report is not None and report.state not in EDITABLE_STATES:
        return _("The %(year)s report of %(unit)s is %(state)s: its figures are locked.") % {
            "year": report.cycle.year,
            "unit": directorate.code,
            "state": report.get_state_display().lower(),
        }
    if unit_permissions.can_edit_unit_content(user, directorate):
        return None
    if report is None and can_edit_bilan(user):
        return None
    return _("Only the unit's head or editors may enter its figures.")


def can_view_unit_figures(user, directorate):
    return unit_permissions.can_view_unit(user, directorate)


def can_read_bilan(user, bilan):
    """A published bilan is public within the organisation; drafts belong to the DG's office."""
    if not user.is_authenticated:
        return False
    if bilan is not None and bilan.is_published:
        return True
    return is_dg_office(user)


def can_edit_bilan(user):
    """Enter national figures, draft and edit the bilan."""
    return unit_permissions.has_right(user, PREPARE_BILAN, administrators=True)


def can_approve_bilan(user):
    return unit_permissions.has_right(user, APPROVE_BILAN)


def can_publish_bilan(user):
    """Publish the approved bilan: a decision, so administrators need the right like anyone else."""
    return unit_permissions.has_right(user, PREPARE_BILAN) or can_approve_bilan(user)


def can_reopen_bilan(user):
    """Reopen an approved bilan for corrections before publication."""
    return can_edit_bilan(user) or can_approve_bilan(user)
