"""The DG's priorities recorded at the meeting."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import FieldErrors, NotAllowed, ValidationFailed
from directorates.models import Directorate, User
from reviews.models import ReviewCycle
from roadmap import permissions
from roadmap.models import (
    Priority,
)

PRIORITY_FIELDS = ("code", "title_fr", "title_ar", "title_en", "text_fr", "text_ar", "text_en")


def _validate_priority(cycle: ReviewCycle, data: Mapping[str, Any], instance: Priority | None = None) -> None:
    errors: FieldErrors = {}
    if not (data.get("code") or "").strip():
        errors["code"] = [_("A code is required.")]
    if not (data.get("title_fr") or "").strip():
        errors["title_fr"] = [_("A French title is required.")]
    duplicate = Priority.objects.filter(cycle=cycle, code=(data.get("code") or "").strip())
    if instance is not None:
        duplicate = duplicate.exclude(pk=instance.pk)
    if "code" not in errors and duplicate.exists():
        errors["code"] = [_("This code is already used this year.")]
    if errors:
        raise ValidationFailed(_("The priority could not be saved."), errors=errors)


@transaction.atomic
def priority_create(*, actor: User, cycle: ReviewCycle, owners: Iterable[Directorate] = (), **data: Any) -> Priority:
    """Record a priority of the DG's orientation speech, with the units that must carry it out."""
    if not permissions.can_record_priorities(actor):
        raise NotAllowed(_("Only the DG or the DG's office may record the priorities."))
    _validate_priority(cycle, data)
    priority = Priority(cycle=cycle, **{f: (data.get(f) or "").strip() for f in PRIORITY_FIELDS})
    audit.attribute(priority, actor=actor)
    priority.save()
    if owners:
        priority.owners.set(owners)
    return priority


@transaction.atomic
def priority_update(
    *, actor: User, priority: Priority, owners: Iterable[Directorate] | None = None, **data: Any
) -> Priority:
    if not permissions.can_record_priorities(actor):
        raise NotAllowed(_("Only the DG or the DG's office may record the priorities."))
    merged = {f: data.get(f, getattr(priority, f)) for f in PRIORITY_FIELDS}
    _validate_priority(priority.cycle, merged, instance=priority)
    for field, value in merged.items():
        setattr(priority, field, (value or "").strip())
    audit.attribute(priority, actor=actor)
    priority.save()
    if owners is not None:
        priority.owners.set(owners)
    return priority
