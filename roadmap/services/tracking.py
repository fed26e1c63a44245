"""Tracking through the year: progress recorded against the approved milestones."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import FieldErrors, InvalidTransition, NotAllowed, ValidationFailed
from directorates.models import User
from roadmap import permissions
from roadmap.models import (
    Milestone,
    Objective,
    ProgressUpdate,
)
from roadmap.services.objectives import _save


@transaction.atomic
def progress_record(
    *,
    actor: User,
    milestone: Milestone,
    value: Decimal | int | str | None,
    comment: str | None = "",
    evidence: str | None = "",
    recorded_on: datetime.date | None = None,
) -> ProgressUpdate:
    """The head of the owner unit records the value reached on a milestone of the approved roadmap."""
    objective = milestone.objective
    if not permissions.can_record_progress(actor, objective):
        raise NotAllowed(_("Only the head of the unit that owns this objective may record its progress."))
    if not objective.roadmap.is_in_force or objective.is_draft:
        raise InvalidTransition(_("Progress is recorded once the roadmap is approved."))
    if objective.state != Objective.State.ACTIVE:
        raise InvalidTransition(_("This objective is no longer active."))
    today = timezone.localdate()
    recorded_on = recorded_on or today
    errors: FieldErrors = {}
    if value is None or Decimal(value) < 0:
        errors["value"] = [_("Give the value reached (zero or more).")]
    if recorded_on > today:
        errors["recorded_on"] = [_("The date cannot be in the future.")]
    if errors or value is None:  # (a missing value is among the errors)
        raise ValidationFailed(_("The progress was not recorded."), errors=errors)
    update = ProgressUpdate(
        milestone=milestone,
        value=value,
        comment=(comment or "").strip(),
        evidence=(evidence or "").strip(),
        recorded_on=recorded_on,
        recorded_by=actor,
    )
    _save(update, actor)
    milestones_keep_latest_progress(Milestone.objects.filter(pk=milestone.pk))
    # A draft copy of the milestone (a next version being drafted) shows the same latest progress.
    Milestone.objects.filter(draft_of=milestone.pk).update(
        progress_value=Subquery(Milestone.objects.filter(pk=milestone.pk).values("progress_value")[:1]),
        progress_on=Subquery(Milestone.objects.filter(pk=milestone.pk).values("progress_on")[:1]),
    )
    return update


def milestones_keep_latest_progress(milestones: QuerySet[Milestone]) -> None:
    """Store on each milestone its latest progress (value, date): one UPDATE (read by roadmap.status)."""
    latest = ProgressUpdate.objects.filter(milestone=OuterRef("pk")).order_by("-recorded_on", "-created_at", "-pk")
    milestones.update(
        progress_value=Subquery(latest.values("value")[:1]), progress_on=Subquery(latest.values("recorded_on")[:1])
    )
