"""Which units a person may see and act for. Used by selectors (visibility) and services (actions).

Rules (design brief): the DG's office, the DG and administrators see every unit.
A unit's people see their own unit; a head also sees, read-only, every unit under
theirs (a wali sees the provincial commands of the wilaya). Nobody else sees a
unit's data.
"""

from django.db.models import Q

from directorates.models import Directorate, Membership


def _memberships(user):
    # Cached per user object: a request asks several times.
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("directorate"))
        user._membership_cache = cached
    return cached


def visible_directorates_q(user, prefix=""):
    """A Q over a Directorate relation (``prefix`` like "directorate__") for what ``user`` may read."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_everything:
        return Q()
    condition = Q(**{f"{prefix}pk__in": []})
    for membership in _memberships(user):
        if membership.role == Membership.Role.HEAD:
            condition |= Q(**{f"{prefix}path__startswith": membership.directorate.path})
        else:
            condition |= Q(**{f"{prefix}pk": membership.directorate_id})
    return condition


def role_in(user, directorate):
    """The person's own role in exactly this unit, or None."""
    if not user.is_authenticated:
        return None
    for membership in _memberships(user):
        if membership.directorate_id == directorate.pk:
            return membership.role
    return None


def can_view_unit(user, directorate):
    if not user.is_authenticated or not user.is_active:
        return False
    if user.sees_everything:
        return True
    for membership in _memberships(user):
        if membership.directorate_id == directorate.pk:
            return True
        if membership.role == Membership.Role.HEAD and directorate.path.startswith(membership.directorate.path):
            return True
    return False


def can_edit_unit_content(user, directorate):
    """Heads and editors write their own unit's report and figures (never a sub-unit's)."""
    return role_in(user, directorate) in (Membership.Role.HEAD, Membership.Role.EDITOR)


def is_unit_head(user, directorate):
    return role_in(user, directorate) == Membership.Role.HEAD


def visible_directorates(user):
    return Directorate.objects.filter(visible_directorates_q(user))
