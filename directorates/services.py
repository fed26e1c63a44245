"""Writes and rules for the organisation tree and the cahier des charges."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import NotAllowed, ValidationFailed
from directorates import permissions
from directorates.models import Deliverable

# Later stages (reviews) register checks here: e.g. a submitted report freezes its deliverables.
# Each guard is called with ``pairs`` — (unit, year) pairs — and returns {(unit id, year): DomainError}
# for the pairs it refuses, checking them all at once (an import asks about every pair of its file).
DELIVERABLE_CHANGE_GUARDS = []

_CATEGORIES = frozenset(Deliverable.Category.values)  # built once: imports validate thousands of rows

DELIVERABLE_FIELDS = (
    "title",
    "description",
    "category",
    "target_quantity",
    "target_unit",
    "target_date",
    "due_date",
    "origin",
    "origin_reference",
)


def can_manage_deliverables(user, directorate):
    """Administrators and the DG's office for any unit; a unit's head and editors for their own unit.

    The same rule for the web form, the API, the admin and spreadsheet imports (editors draft the
    cahier des charges and import it; the guards below freeze it once the year's report is submitted).
    """
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.is_reviewer or permissions.can_edit_unit_content(user, directorate)


def _check_deliverable_change(*, actor, directorate, year):
    if not can_manage_deliverables(actor, directorate):
        raise NotAllowed(_("Only the unit's head, its editors or the DG's office may change its cahier des charges."))
    problems = deliverable_change_problems([(directorate, year)])
    if problems:
        raise next(iter(problems.values()))


def deliverable_change_problems(pairs):
    """{(unit id, year): DomainError} for the (unit, year) pairs whose cahier des charges may not change now."""
    problems = {}
    for guard in DELIVERABLE_CHANGE_GUARDS:
        for key, error in guard(pairs=pairs).items():
            problems.setdefault(key, error)
    return problems


def _validate_deliverable(*, year, data):
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("A title is required.")]
    if data.get("category") not in _CATEGORIES:
        errors["category"] = [_("Choose a category from the list.")]
    quantity = data.get("target_quantity")
    if quantity is not None and quantity < 0:
        errors["target_quantity"] = [_("The target cannot be negative.")]
    due = data.get("due_date")
    if due is None:
        errors["due_date"] = [_("A due date is required.")]
    elif due.year != year:
        errors["due_date"] = [_("The due date must fall in %(year)s.") % {"year": year}]
    if errors:
        raise ValidationFailed(_("The deliverable could not be saved."), errors=errors)


def deliverable_check(*, actor, directorate, year, data, instance=None):
    """Every check of a create or update, without writing: forms call it to show errors in place."""
    _check_deliverable_change(actor=actor, directorate=directorate, year=year)
    _validate_deliverable(year=year, data=data)
    duplicate = Deliverable.objects.filter(directorate=directorate, year=year, title=(data.get("title") or "").strip())
    if instance is not None and instance.pk:
        duplicate = duplicate.exclude(pk=instance.pk)
    if duplicate.exists():
        raise ValidationFailed(
            _("This unit already has a deliverable with this title for %(year)s.") % {"year": year},
            errors={"title": [_("Already used in this cahier des charges.")]},
        )


@transaction.atomic
def deliverable_create(*, actor, directorate, year, **data):
    deliverable_check(actor=actor, directorate=directorate, year=year, data=data)
    deliverable = Deliverable(directorate=directorate, year=year)
    for field in DELIVERABLE_FIELDS:
        if field in data:
            setattr(deliverable, field, data[field])
    deliverable.title = deliverable.title.strip()
    deliverable._history_user = actor
    deliverable.save()
    return deliverable


@transaction.atomic
def deliverable_update(*, actor, deliverable, **data):
    _check_deliverable_change(actor=actor, directorate=deliverable.directorate, year=deliverable.year)
    merged = {field: data.get(field, getattr(deliverable, field)) for field in DELIVERABLE_FIELDS}
    deliverable_check(
        actor=actor, directorate=deliverable.directorate, year=deliverable.year, data=merged, instance=deliverable
    )
    for field, value in merged.items():
        setattr(deliverable, field, value)
    deliverable._history_user = actor
    deliverable.save()
    return deliverable


def directorate_check_parent(*, directorate, parent):
    """A unit can't be its own ancestor."""
    if parent is None:
        return
    if directorate.pk and (parent.pk == directorate.pk or parent.path.startswith(directorate.path)):
        raise ValidationFailed(
            _("A unit cannot be placed under itself or one of its sub-units."),
            errors={"parent": [_("Choose a unit outside this unit's subtree.")]},
        )


@transaction.atomic
def directorate_save(*, actor, directorate):
    if not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may change the organisation tree."))
    directorate_check_parent(directorate=directorate, parent=directorate.parent)
    directorate._history_user = actor
    directorate.save()
    return directorate



@transaction.atomic
def deliverable_delete(*, actor, deliverable):
    _check_deliverable_change(actor=actor, directorate=deliverable.directorate, year=deliverable.year)
    if deliverable.outcomes.exclude(status="").exists():
        raise ValidationFailed(_("This deliverable already has a reported outcome: it cannot be deleted."))
    deliverable.outcomes.all().delete()
    deliverable._history_user = actor
    deliverable.delete()
