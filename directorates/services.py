"""Writes and rules for the organisation tree and the cahier des charges."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError, NotAllowed, ValidationFailed
from directorates import permissions
from directorates.models import Deliverable, Directorate, User

# (unit, year) pairs, and their verdicts keyed by (unit id, year).
UnitYear = tuple[Directorate, int]
ChangeProblems = dict[tuple[int, int], DomainError]

# Later stages (reviews) register checks here: e.g. a submitted report freezes its deliverables.
# Each guard is called with ``pairs`` — (unit, year) pairs — and returns {(unit id, year): DomainError}
# for the pairs it refuses, checking them all at once (an import asks about every pair of its file).
DELIVERABLE_CHANGE_GUARDS: list[Callable[..., ChangeProblems]] = []
# Later stages register what must follow when deliverables join a cahier des charges: reviews adds
# their outcome rows to the unit's open report. Called with (deliverables=[...], actor=user).
DELIVERABLE_ADDED_HOOKS: list[Callable[..., None]] = []


def deliverables_added(*, deliverables: Iterable[Deliverable], actor: User | None) -> None:
    """Announce deliverables that joined (or moved into) a unit's cahier des charges for a year.

    The one call every path makes after writing them — the form, the API and the admin (through
    ``deliverable_create``), spreadsheet imports and the roadmap hand-over (bulk writes) — so that no
    report misses their outcome rows. Inside the caller's transaction.
    """
    deliverables = [d for d in deliverables if d.pk]
    if deliverables:
        for hook in DELIVERABLE_ADDED_HOOKS:
            hook(deliverables=deliverables, actor=actor)


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


def can_manage_deliverables(user: User | AnonymousUser | None, directorate: Directorate) -> bool:
    """Holders of the "manage cahiers des charges" right (the DG's office, administrators) for any unit;
    a unit's head and editors for their own unit.

    The same rule for the web form, the API, the admin and spreadsheet imports (editors draft the
    cahier des charges and import it; the guards below freeze it once the year's report is submitted).
    """
    if user is None or not user.is_authenticated:
        return False
    return permissions.can_manage_deliverables_anywhere(user) or permissions.can_edit_unit_content(user, directorate)


def deliverable_from_roadmap(deliverable: Deliverable | None) -> bool:
    """Handed over from an approved roadmap: the roadmap is where it changes."""
    return deliverable is not None and deliverable.pk is not None and deliverable.origin == Deliverable.Origin.ROADMAP


def deliverable_change_needs_reason(user: User | AnonymousUser | None, deliverable: Deliverable | None) -> bool:
    """Only the DG's office (or an administrator) may change a roadmap deliverable by hand, saying why."""
    return deliverable_from_roadmap(deliverable) and bool(user) and permissions.can_manage_deliverables_anywhere(user)


def deliverable_locked_for(user: User | AnonymousUser | None, deliverable: Deliverable | None) -> bool:
    """True where ``user`` may not change or delete this deliverable by hand at all (unit people, imports)."""
    return deliverable_from_roadmap(deliverable) and not deliverable_change_needs_reason(user, deliverable)


def check_roadmap_deliverable_change(*, actor: User | None, deliverable: Deliverable, reason: str | None = "") -> None:
    """The one rule for deliverables handed over from an approved roadmap, on every path (web, API, admin,
    imports): the cahier des charges and the approved roadmap must not disagree, so such a deliverable
    changes through the roadmap (a new version, approved again); the DG's office may still correct it by
    hand, with a reason kept in its history. Imports carry no reason and are refused."""
    if not deliverable_from_roadmap(deliverable):
        return
    if deliverable_locked_for(actor, deliverable):
        raise NotAllowed(
            _(
                "This deliverable comes from the approved roadmap (objective %(ref)s): it changes through the "
                "roadmap, or the DG's office corrects it with a reason."
            )
            % {"ref": deliverable.origin_reference},
            errors={"origin": [_("Handed over from the approved roadmap.")]},
        )
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why this deliverable of the approved roadmap is changed by hand."),
            errors={"reason": [_("A reason is required to change a deliverable of the approved roadmap.")]},
        )


def _check_deliverable_change(*, actor: User | None, directorate: Directorate, year: int) -> None:
    if not can_manage_deliverables(actor, directorate):
        raise NotAllowed(_("Only the unit's head, its editors or the DG's office may change its cahier des charges."))
    problems = deliverable_change_problems([(directorate, year)])
    if problems:
        raise next(iter(problems.values()))


def deliverable_change_problems(pairs: Iterable[UnitYear]) -> ChangeProblems:
    """{(unit id, year): DomainError} for the (unit, year) pairs whose cahier des charges may not change now."""
    problems: ChangeProblems = {}
    for guard in DELIVERABLE_CHANGE_GUARDS:
        for key, error in guard(pairs=pairs).items():
            problems.setdefault(key, error)
    return problems


def _validate_deliverable(*, year: int, data: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
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


def deliverable_check(
    *,
    actor: User | None,
    directorate: Directorate,
    year: int,
    data: Mapping[str, Any],
    instance: Deliverable | None = None,
    reason: str | None = "",
) -> None:
    """Every check of a create or update, without writing: forms call it to show errors in place."""
    _check_deliverable_change(actor=actor, directorate=directorate, year=year)
    if instance is not None and instance.pk:
        check_roadmap_deliverable_change(actor=actor, deliverable=instance, reason=reason)
    if data.get("origin") == Deliverable.Origin.ROADMAP and not deliverable_from_roadmap(instance):
        raise ValidationFailed(
            _("Only an approved roadmap hands deliverables over."),
            errors={"origin": [_("Only an approved roadmap hands deliverables over.")]},
        )
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
def deliverable_create(*, actor: User | None, directorate: Directorate, year: int, **data: Any) -> Deliverable:
    deliverable_check(actor=actor, directorate=directorate, year=year, data=data)
    deliverable = Deliverable(directorate=directorate, year=year)
    for field in DELIVERABLE_FIELDS:
        if field in data:
            setattr(deliverable, field, data[field])
    deliverable.title = deliverable.title.strip()
    audit.attribute(deliverable, actor=actor)
    deliverable.save()
    deliverables_added(deliverables=[deliverable], actor=actor)
    return deliverable


@transaction.atomic
def deliverable_update(*, actor: User | None, deliverable: Deliverable, reason: str = "", **data: Any) -> Deliverable:
    _check_deliverable_change(actor=actor, directorate=deliverable.directorate, year=deliverable.year)
    check_roadmap_deliverable_change(actor=actor, deliverable=deliverable, reason=reason)
    merged = {field: data.get(field, getattr(deliverable, field)) for field in DELIVERABLE_FIELDS}
    if deliverable_from_roadmap(deliverable):  # it stays tied to its objective
        merged["origin"], merged["origin_reference"] = deliverable.origin, deliverable.origin_reference
    deliverable_check(
        actor=actor,
        directorate=deliverable.directorate,
        year=deliverable.year,
        data=merged,
        instance=deliverable,
        reason=reason,
    )
    for field, value in merged.items():
        setattr(deliverable, field, value)
    audit.attribute(deliverable, actor=actor, reason=reason.strip()[:100] if reason else None)
    deliverable.save()
    return deliverable


def directorate_check_parent(*, directorate: Directorate, parent: Directorate | None) -> None:
    """A unit can't be its own ancestor."""
    if parent is None:
        return
    if directorate.pk and directorate.contains(parent):
        raise ValidationFailed(
            _("A unit cannot be placed under itself or one of its sub-units."),
            errors={"parent": [_("Choose a unit outside this unit's subtree.")]},
        )


@transaction.atomic
def directorate_save(*, actor: User, directorate: Directorate) -> Directorate:
    if not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may change the organisation tree."))
    directorate_check_parent(directorate=directorate, parent=directorate.parent)
    audit.attribute(directorate, actor=actor)
    directorate.save()
    return directorate


@transaction.atomic
def deliverable_delete(*, actor: User | None, deliverable: Deliverable, reason: str = "") -> None:
    _check_deliverable_change(actor=actor, directorate=deliverable.directorate, year=deliverable.year)
    check_roadmap_deliverable_change(actor=actor, deliverable=deliverable, reason=reason)
    if deliverable.outcomes.exclude(status="").exists():
        raise ValidationFailed(_("This deliverable already has a reported outcome: it cannot be deleted."))
    if deliverable.outcomes.filter(attachments__isnull=False).exists():
        raise ValidationFailed(_("Evidence is attached to this deliverable's outcome: it cannot be deleted."))
    deliverable.outcomes.all().delete()
    audit.attribute(deliverable, actor=actor, reason=reason.strip()[:100] if reason else None)
    deliverable.delete()


@transaction.atomic
def user_deactivate(*, actor: User, users: Iterable[User]) -> int:
    """Deactivate people (they can no longer log in); each change leaves a history row.

    People are never deleted: history rows, the admin log and imports keep pointing at them.
    """
    if not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may deactivate people."))
    users = [user for user in users if user.is_active and user.pk != actor.pk]
    for user in users:
        user.is_active = False
        audit.attribute(user, actor=actor)
        user.save(update_fields=["is_active"])
    return len(users)


def refuse_user_delete(sender: type[User], instance: User, **kwargs: Any) -> NoReturn:
    """pre_delete of User: a person is deactivated, not deleted (history would lose its author)."""
    raise NotAllowed(_("People cannot be deleted, only deactivated: the history must keep who did what."))
