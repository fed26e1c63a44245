"""The DG's office edits the roadmap's objectives and milestones (draft copies while a version is redrafted)."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import FieldErrors, InvalidTransition, ValidationFailed
from directorates.models import Deliverable, User
from roadmap.models import (
    Milestone,
    Objective,
    Roadmap,
    RoadmapState,
    SourceKind,
    quarter_end,
)
from roadmap.services.common import (
    _require_preparer,
    _shorten,
)
from roadmap.services.compile import _next_refs

_M = TypeVar("_M", bound=Model)

OBJECTIVE_FIELDS = (
    "title",
    "description",
    "category",
    "target",
    "target_quantity",
    "target_unit",
    "achieved_so_far",
    "owner",
    "priority",
)


def _check_editable(actor: User, roadmap: Roadmap, *objectives: Objective) -> Sequence[Objective]:
    """Refuse unless the actor is the office and the roadmap is a draft *now*; return ``objectives`` as rows
    of the version being drafted: while a next version is drafted after an approval, an approved objective
    stands for its draft copy, so that no edit ever touches the approved rows units read.

    The roadmap row is locked for the rest of the transaction: an edit cannot slip in while someone
    proposes it, and new references are numbered one writer at a time.
    """
    _require_preparer(actor, _("Only the DG's office may edit the roadmap."))
    roadmap.state, roadmap.version, roadmap.approved_version = (
        Roadmap.objects.select_for_update().values_list("state", "version", "approved_version").get(pk=roadmap.pk)
    )
    if roadmap.state != RoadmapState.DRAFT:
        raise InvalidTransition(
            _("The roadmap is %(state)s: it can be changed only in a new draft version.")
            % {"state": roadmap.get_state_display().lower()}
        )
    if not roadmap.redrafting:
        return objectives
    approved = [o.pk for o in objectives if not o.is_draft]
    copies = {c.draft_of_id: c for c in Objective.objects.select_related("roadmap").filter(draft_of_id__in=approved)}
    return [copies.get(o.pk, o) if not o.is_draft else o for o in objectives]


def _validate_objective(roadmap: Roadmap, data: Mapping[str, Any]) -> None:
    errors: FieldErrors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("A title is required.")]
    if data.get("owner") is None:
        errors["owner"] = [_("Choose the unit that owns this objective.")]
    if data.get("category") not in Deliverable.Category.values:
        errors["category"] = [_("Choose a category from the list.")]
    quantity = data.get("target_quantity")
    if quantity is not None and quantity < 0:
        errors["target_quantity"] = [_("The target cannot be negative.")]
    priority = data.get("priority")
    if priority is not None and priority.cycle_id != roadmap.cycle_id:
        errors["priority"] = [_("This priority was not given for this roadmap.")]
    if errors:
        raise ValidationFailed(_("The objective could not be saved."), errors=errors)


def _save(obj: _M, actor: User) -> _M:
    audit.attribute(obj, actor=actor)
    obj.save()
    return obj


@transaction.atomic
def objective_create(
    *, actor: User, roadmap: Roadmap, milestones: Iterable[Mapping[str, Any]] | None = None, **data: Any
) -> Objective:
    """Add a new project to the draft roadmap."""
    _check_editable(actor, roadmap)
    data.setdefault("category", Deliverable.Category.GOVERNANCE)
    _validate_objective(roadmap, data)
    existing = Objective.objects.filter(roadmap=roadmap).values_list("ref", flat=True)
    objective = Objective(
        roadmap=roadmap,
        source_kind=SourceKind.NEW,
        source_key=f"new:{uuid.uuid4().hex}",
        ref=next(_next_refs(roadmap, existing)),
        edited=True,
        is_draft=roadmap.redrafting,
    )
    for field in OBJECTIVE_FIELDS:
        if field in data:
            setattr(
                objective,
                field,
                data[field] if data[field] is not None or field in ("owner", "priority", "target_quantity") else "",
            )
    objective.title = objective.title.strip()
    _save(objective, actor)
    if milestones is not None:
        milestones_set(actor=actor, objective=objective, milestones=milestones)
    return objective


@transaction.atomic
def objective_update(
    *, actor: User, objective: Objective, milestones: Iterable[Mapping[str, Any]] | None = None, **data: Any
) -> Objective:
    """Change an objective's fields (and, when given, replace its milestones)."""
    (objective,) = _check_editable(actor, objective.roadmap, objective)
    merged = {field: data.get(field, getattr(objective, field)) for field in OBJECTIVE_FIELDS}
    _validate_objective(objective.roadmap, merged)
    for field, value in merged.items():
        if value is None and field not in ("owner", "priority", "target_quantity"):
            value = ""
        setattr(objective, field, value)
    objective.title = objective.title.strip()
    objective.edited = True
    _save(objective, actor)
    if milestones is not None:
        milestones_set(actor=actor, objective=objective, milestones=milestones)
    return objective


@transaction.atomic
def objective_drop(*, actor: User, objective: Objective, reason: str) -> Objective:
    """Drop an objective, saying why. Compiling again will not bring it back."""
    (objective,) = _check_editable(actor, objective.roadmap, objective)
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why the objective is dropped."),
            errors={"drop_reason": [_("A reason is required to drop an objective.")]},
        )
    objective.state = Objective.State.DROPPED
    objective.drop_reason = reason.strip()
    objective.edited = True
    return _save(objective, actor)


@transaction.atomic
def objective_restore(*, actor: User, objective: Objective) -> Objective:
    (objective,) = _check_editable(actor, objective.roadmap, objective)
    objective.state = Objective.State.ACTIVE
    objective.drop_reason = ""
    objective.merged_into = None
    objective.edited = True
    return _save(objective, actor)


@transaction.atomic
def objective_merge(*, actor: User, into: Objective, others: Iterable[Objective]) -> Objective:
    """Merge ``others`` into ``into``: they stay on record as merged, pointing to it."""
    into, *others = _check_editable(actor, into.roadmap, into, *others)
    others = [o for o in others if o.pk != into.pk]
    if into.state != Objective.State.ACTIVE:
        raise ValidationFailed(_("Merge into an active objective."))
    errors: FieldErrors = {}
    for other in others:
        if other.roadmap_id != into.roadmap_id or other.is_draft != into.is_draft:
            errors[other.ref] = [_("Not an objective of this roadmap.")]
        elif other.state != Objective.State.ACTIVE:
            errors[other.ref] = [_("Only active objectives can be merged.")]
    if errors or not others:
        raise ValidationFailed(_("These objectives cannot be merged."), errors=errors)
    notes = [into.description] if into.description else []
    for other in others:
        other.state = Objective.State.MERGED
        other.merged_into = into
        other.edited = True
        _save(other, actor)
        notes.append(f"[{other.ref}] {other.title}")
    into.description = "\n".join(notes)
    into.edited = True
    return _save(into, actor)


@transaction.atomic
def objective_split(*, actor: User, objective: Objective, titles: Iterable[str]) -> list[Objective]:
    """Split an objective: it keeps the first title, a new objective (same source and owner) is made per other."""
    (objective,) = _check_editable(actor, objective.roadmap, objective)
    titles = [t.strip() for t in titles if (t or "").strip()]
    if len(titles) < 2:
        raise ValidationFailed(
            _("Give at least two titles to split an objective."), errors={"titles": [_("At least two titles.")]}
        )
    objective.title = _shorten(titles[0])
    objective.edited = True
    _save(objective, actor)
    existing = list(Objective.objects.filter(roadmap=objective.roadmap).values_list("ref", flat=True))
    refs = _next_refs(objective.roadmap, existing)
    parts = [objective]
    for title in titles[1:]:
        part = Objective(
            roadmap=objective.roadmap,
            ref=next(refs),
            owner_id=objective.owner_id,
            priority=objective.priority,
            title=_shorten(title),
            description=objective.description,
            category=objective.category,
            target_unit=objective.target_unit,
            achieved_so_far=objective.achieved_so_far,
            source_kind=objective.source_kind,
            source_key=f"split:{objective.pk}:{uuid.uuid4().hex[:12]}",
            source_deliverable_id=objective.source_deliverable_id,
            source_constraint_id=objective.source_constraint_id,
            edited=True,
            is_draft=objective.is_draft,
        )
        parts.append(_save(part, actor))
    return parts


@transaction.atomic
def milestones_set(*, actor: User, objective: Objective, milestones: Iterable[Mapping[str, Any]]) -> list[Milestone]:
    """Make the objective's milestones equal to ``milestones`` (dicts; ``id`` for existing ones).

    Each has a title, a quarter (1–4, due at its end) or a due date within the roadmap's year, and a
    target (> 0). A milestone with progress recorded cannot be removed.
    """
    (objective,) = _check_editable(actor, objective.roadmap, objective)
    year = objective.roadmap.year
    # A draft copy's milestone keeps the progress of the approved milestone it copies (draft_of).
    current = {
        m.pk: m
        for m in objective.milestones.select_related("draft_of").prefetch_related("progress", "draft_of__progress")
    }
    copied = {m.draft_of_id: m.pk for m in current.values() if m.draft_of_id}  # approved id → its copy
    errors: dict[str, Any] = {}
    keep: set[int] = set()
    to_save: list[Milestone] = []
    for index, item in enumerate(milestones):
        pk: Any = item.get("id")  # as sent: an id of this objective's milestones, or not
        pk = copied.get(pk, pk) if pk not in current else pk
        if pk is not None and pk not in current:
            errors[str(index)] = {"id": [_("Unknown milestone for this objective.")]}
            continue
        milestone = current.get(pk) or Milestone(objective=objective)
        field_errors: FieldErrors = {}
        milestone.title = (item.get("title") or milestone.title or "").strip()
        if not milestone.title:
            field_errors["title"] = [_("A title is required.")]
        quarter = item.get("quarter", milestone.quarter if pk else None)
        due = item.get("due_date", milestone.due_date if pk else None)
        if quarter:
            if quarter not in (1, 2, 3, 4):
                field_errors["quarter"] = [_("A quarter is 1, 2, 3 or 4.")]
            else:
                due = quarter_end(year, quarter)
        if due is None:
            field_errors["due_date"] = [_("Give a quarter or a due date.")]
        elif due.year != year:
            field_errors["due_date"] = [_("The due date must fall in %(year)s.") % {"year": year}]
        target = item.get("target_value", milestone.target_value if pk else None)
        if target is None:
            target = Decimal(100)
        if Decimal(target) <= 0:
            field_errors["target_value"] = [_("The target must be greater than zero.")]
        milestone.quarter, milestone.due_date, milestone.target_value = quarter or None, due, target
        milestone.position = index
        if field_errors:
            errors[str(index)] = field_errors
        to_save.append(milestone)
        if pk is not None:
            keep.add(pk)
    removed = [m for pk, m in current.items() if pk not in keep]
    for m in removed:
        if list(m.progress.all()) or (m.draft_of is not None and list(m.draft_of.progress.all())):
            errors.setdefault("removed", {})[str(m.pk)] = [_("Progress was recorded on this milestone: keep it.")]
    if errors:
        raise ValidationFailed(
            _("The milestones were not saved: correct the fields marked."), errors={"milestones": errors}
        )
    for m in to_save:
        _save(m, actor)
    for m in removed:
        audit.attribute(m, actor=actor)
        m.delete()
    Objective.objects.filter(pk=objective.pk).update(edited=True, updated_at=timezone.now())
    # update() bypasses simple-history's signals: the objective's edit is recorded by hand.
    audit.record_update([Objective.objects.get(pk=objective.pk)], actor=actor, reason="milestones changed")
    return to_save
