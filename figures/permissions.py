"""Who may read and write figures and the bilan. Used by selectors, services and the UI.

- Figures are a unit's data: read per ``directorates.permissions`` (own unit, a head's
  subtree, the DG's office everything).
- A unit's head and editors write its figures while its report for the year is a draft or
  returned, or before a report exists; accepted/locked reports lock them.
- The DG's office enters figures for units without a report of the year, in particular the
  national figures of the root unit (DGSN).
- The bilan: drafted and edited by the DG's office, approved by the DG (org role "approver"),
  published by the DG or the DG's office; readable by every authenticated user once published.
"""

from directorates import permissions as unit_permissions
from reviews.models import EDITABLE_STATES


def is_dg_office(user):
    return user.is_authenticated and (user.is_superuser or user.is_reviewer or user.is_approver)


def figure_write_problem(user, directorate, report):
    """Why ``user`` may not write ``directorate``'s figures for the year of ``report`` (None if allowed).

    ``report`` is the unit's reviews.Report for that year, or None when there is none yet.
    """
    from django.utils.translation import gettext as _

    if not user.is_authenticated or not user.is_active:
        return _("Log in to enter figures.")
    if report is not None and report.state not in EDITABLE_STATES:
        return _("The %(year)s report of %(unit)s is %(state)s: its figures are locked.") % {
            "year": report.cycle.year, "unit": directorate.code, "state": report.get_state_display().lower(),
        }
    if unit_permissions.can_edit_unit_content(user, directorate):
        return None
    if report is None and (user.is_superuser or user.is_reviewer):
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
    return user.is_authenticated and (user.is_superuser or user.is_reviewer)


def can_approve_bilan(user):
    return user.is_authenticated and user.is_approver


def can_publish_bilan(user):
    return user.is_authenticated and (user.is_approver or user.is_reviewer)
