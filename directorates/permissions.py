"""Which units a person may see and act for, and the rights each person holds.

Used by selectors (visibility) and services (actions).

Visibility (design brief): the DG's office, the DG (their organisation role) and administrators
see every unit. A unit's people see their own unit; a head also sees, read-only, every unit under
theirs (a wali sees the provincial commands of the wilaya). Nobody else sees a unit's data.

Rights: what a person of the office may *do* — review reports, manage cycles, prepare and approve
the roadmap, prepare and approve the bilan, manage any unit's cahier des charges — is a Django
permission granted per person, directly or through a group (one group per right, created by the
apps' migrations, editable in the admin). Each app's permissions module names its rights and
asks ``has_right`` here; nothing else tests a person's organisation role to decide an action.
Administrators (superusers) hold the administration rights (cycles, cahiers des charges, national
figures) but none of the office's decisions unless granted (``has_right``).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from directorates.models import Directorate, Membership, User

# Edit any unit's cahier des charges (the DG's office); a unit's head and editors edit their own.
MANAGE_DELIVERABLES = "directorates.manage_deliverables"
# {right: the name of its group}; the apps' migrations create the groups, the demo and the tests join them.
GROUPS = {MANAGE_DELIVERABLES: "Manage cahiers des charges"}


def sees_every_unit(user):
    """The DG's office, the DG and administrators see every unit (no query)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.org_role in (User.OrgRole.REVIEWER, User.OrgRole.APPROVER))
    )


def _rights(user):
    """The "app.codename" rights a person holds, directly or through groups: one query, cached on the user."""
    cached = getattr(user, "_rights_cache", None)
    if cached is None:
        cached = {
            f"{app}.{codename}"
            for app, codename in Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename")
            .distinct()
        }
        user._rights_cache = cached
    return cached


def has_right(user, right, *, administrators=False):
    """Whether ``user`` holds ``right`` ("app.codename"); inactive and anonymous people hold none.

    Administrators (superusers) hold a right without a grant only where ``administrators`` is true: they
    run the organisation (cycles, cahiers des charges, national figures) but take none of the office's
    decisions — reviewing reports, preparing or approving the roadmap, approving the bilan — unless the
    right is granted to them like to anyone else (separation of duties; every decision has its holder).
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if administrators and user.is_superuser:
        return True
    return right in _rights(user)


def holders_of(right):
    """Active people granted ``right`` (directly or through a group): the recipients of notices.

    An administrator is included only if granted the right explicitly, like anyone else.
    """
    # The model backend holds the grants (another backend in the list, django-axes, holds none).
    return User.objects.with_perm(
        right, is_active=True, include_superusers=False, backend="directorates.auth.DemoAwareModelBackend"
    )


def office_members():
    """Active people of the DG's office and the DG (their organisation role): e.g. invited to the meeting."""
    return User.objects.filter(is_active=True, org_role__in=(User.OrgRole.REVIEWER, User.OrgRole.APPROVER))


def _permission(right):
    app_label, codename = right.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def join(user, groups, *rights):
    """Put ``user`` in the group of each of ``rights`` (every right of ``groups`` if none is named).

    ``groups`` is an app's ``GROUPS`` ({right: group name}); a missing group is created with its right.
    For the demo and the tests; people are given rights in the admin.
    """
    for right in rights or groups:
        group, created = Group.objects.get_or_create(name=groups[right])
        if created:
            group.permissions.add(_permission(right))
        user.groups.add(group)
    user.__dict__.pop("_rights_cache", None)


def grant(user, *rights):
    """Give ``user`` rights directly (not through a group), as the admin's "user permissions" does."""
    user.user_permissions.add(*[_permission(right) for right in rights])
    user.__dict__.pop("_rights_cache", None)


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
    if sees_every_unit(user):
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
    if sees_every_unit(user):
        return True
    for membership in _memberships(user):
        if membership.directorate_id == directorate.pk:
            return True
        if membership.role == Membership.Role.HEAD and membership.directorate.contains(directorate):
            return True
    return False


def can_edit_unit_content(user, directorate):
    """Heads and editors write their own unit's report and figures (never a sub-unit's)."""
    return role_in(user, directorate) in (Membership.Role.HEAD, Membership.Role.EDITOR)


def is_unit_head(user, directorate):
    return role_in(user, directorate) == Membership.Role.HEAD


def visible_directorates(user):
    return Directorate.objects.filter(visible_directorates_q(user))


def can_manage_deliverables_anywhere(user):
    """Edit (and import) the cahier des charges of any unit: the right of the DG's office."""
    return has_right(user, MANAGE_DELIVERABLES, administrators=True)
