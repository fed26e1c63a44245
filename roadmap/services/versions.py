"""A roadmap's versions: propose, send back, approve, redraft (core.transitions), the draft copies, and the frozen
snapshots."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from core.transitions import StateMachine, move
from directorates.models import User
from roadmap import permissions
from roadmap.models import (
    ROADMAP_TRANSITIONS,
    Milestone,
    Objective,
    Roadmap,
    RoadmapEvent,
    RoadmapState,
    RoadmapVersion,
)
from roadmap.services.common import (
    roadmap_state_changed,
)
from roadmap.services.handover import handover_to_cahier_des_charges

# A roadmap's version counts its approved versions (a new draft starts the next one), so a move
# does not bump it; it claims on it, so that a move against a version someone replaced fails.
ROADMAP_MACHINE = StateMachine(
    transitions=ROADMAP_TRANSITIONS,
    event_model=RoadmapEvent,
    subject="roadmap",
    signal=roadmap_state_changed,
    bump_version=False,
    claim_on_version=True,
    event_fields=lambda roadmap: {"version": roadmap.version},
    invalid_message=lambda from_state, to_state: (
        _("A roadmap that is %(state)s cannot become %(target)s.")
        % {"state": RoadmapState(from_state).label.lower(), "target": RoadmapState(to_state).label.lower()}
    ),
    stale_message=lambda: _("Someone else changed this roadmap's state meanwhile. Reload it."),
)


def _transition(
    *, actor: User, roadmap: Roadmap, to_state: str, comment: str = "", extra: dict[str, Any] | None = None
) -> Roadmap:
    """The roadmap moves (core.transitions): checked, claimed, its event and history written, announced."""
    move(ROADMAP_MACHINE, instance=roadmap, actor=actor, to_state=to_state, comment=comment, extra=extra)
    return roadmap


def _require_state(roadmap: Roadmap, state: str, verb: str) -> None:
    if roadmap.state != state:
        raise InvalidTransition(
            _("A roadmap that is %(state)s cannot be %(verb)s.")
            % {"state": roadmap.get_state_display().lower(), "verb": verb}
        )


@transaction.atomic
def roadmap_propose(*, actor: User, roadmap: Roadmap, comment: str = "") -> Roadmap:
    """Whoever holds the right to prepare the roadmap proposes the draft for approval.

    The approvers are notified (notifications, on commit).
    """
    if not permissions.can_prepare(actor):
        raise NotAllowed(_("Only the DG's office may propose the roadmap."))
    _require_state(roadmap, RoadmapState.DRAFT, _("proposed"))
    if not Objective.objects.active().filter(roadmap=roadmap, is_draft=roadmap.redrafting).exists():
        raise ValidationFailed(_("The roadmap has no objective: compile it or add objectives first."))
    return _transition(actor=actor, roadmap=roadmap, to_state=RoadmapState.PROPOSED, comment=comment)


@transaction.atomic
def roadmap_return(*, actor: User, roadmap: Roadmap, comment: str) -> Roadmap:
    """An approver sends the proposed roadmap back to be reworked, saying what to change (the proposer is told)."""
    if not permissions.can_approve(actor):
        raise NotAllowed(_("Sending the roadmap back needs the right to approve it."))
    if not (comment or "").strip():
        raise ValidationFailed(
            _("Say what must change."), errors={"comment": [_("A comment is required to send the roadmap back.")]}
        )
    _require_state(roadmap, RoadmapState.PROPOSED, _("sent back"))
    return _transition(actor=actor, roadmap=roadmap, to_state=RoadmapState.DRAFT, comment=comment.strip())


@transaction.atomic
def roadmap_approve(*, actor: User, roadmap: Roadmap, comment: str = "") -> Roadmap:
    """A holder of the approval right approves: the version is frozen, with who proposed and who approved it,
    and each unit's objectives become its cahier des charges.

    With ``settings.ROADMAP_FOUR_EYES`` on, the person who proposed the version may not approve it.
    """
    problem = permissions.approval_problem(actor, roadmap)
    if problem:
        raise NotAllowed(problem)
    _require_state(roadmap, RoadmapState.PROPOSED, _("approved"))
    proposal = permissions.proposal_event(roadmap)
    roadmap = _transition(
        actor=actor,
        roadmap=roadmap,
        to_state=RoadmapState.APPROVED,
        comment=comment,
        extra={"approved_version": F("version")},
    )
    _draft_apply(actor=actor, roadmap=roadmap)
    RoadmapVersion.objects.create(
        roadmap=roadmap,
        number=roadmap.version,
        approved_by=actor,
        approved_at=timezone.now(),
        comment=comment,
        proposed_by_id=proposal.actor_id if proposal else None,
        proposed_at=proposal.created_at if proposal else None,
        snapshot=snapshot(roadmap),
    )
    handover_to_cahier_des_charges(actor=actor, roadmap=roadmap)
    return roadmap


@transaction.atomic
def roadmap_new_version(*, actor: User, roadmap: Roadmap, comment: str = "") -> Roadmap:
    """Reopen an approved roadmap as the draft of its next version; the approved one stays frozen."""
    if not permissions.can_prepare(actor):
        raise NotAllowed(_("Only the DG's office may start a new version of the roadmap."))
    _require_state(roadmap, RoadmapState.APPROVED, _("reopened as a new version"))
    roadmap = _transition(
        actor=actor, roadmap=roadmap, to_state=RoadmapState.DRAFT, comment=comment, extra={"version": F("version") + 1}
    )
    _draft_open(actor=actor, roadmap=roadmap)
    return roadmap


# The fields a draft copy carries over to the approved objective when its version is approved.
DRAFTED_FIELDS = (
    "owner",
    "priority",
    "title",
    "description",
    "category",
    "target",
    "target_quantity",
    "target_unit",
    "achieved_so_far",
    "state",
    "drop_reason",
    "edited",
)
MILESTONE_FIELDS = ("title", "quarter", "due_date", "target_value", "position")


def _draft_open(*, actor: User, roadmap: Roadmap) -> None:
    """Copy the approved objectives and milestones as the draft of the next version. The office edits the
    copies; units keep reading and tracking the approved rows until the draft is approved. A fixed number
    of queries whatever the number of objectives."""
    approved = list(
        Objective.objects.filter(roadmap=roadmap, is_draft=False).prefetch_related("milestones").order_by("pk")
    )
    skip = {"id", "is_draft", "draft_of", "merged_into", "created_at", "updated_at"}
    names = [f.attname for f in Objective._meta.concrete_fields if f.name not in skip]
    copies = audit.bulk_create(
        Objective,
        [Objective(is_draft=True, draft_of_id=o.pk, **{name: getattr(o, name) for name in names}) for o in approved],
        actor=actor,
        reason=f"draft of version {roadmap.version}",
        batch_size=None,
    )
    copy_of = {o.pk: c for o, c in zip(approved, copies, strict=True)}
    merged: list[Objective] = []
    for o in approved:
        if o.merged_into_id:
            copy_of[o.pk].merged_into_id = copy_of[o.merged_into_id].pk
            merged.append(copy_of[o.pk])
    Objective.objects.bulk_update(merged, ["merged_into"])
    audit.bulk_create(
        Milestone,
        [
            Milestone(
                objective=copy_of[o.pk],
                draft_of=m,
                progress_value=m.progress_value,
                progress_on=m.progress_on,
                **{f: getattr(m, f) for f in MILESTONE_FIELDS},
            )
            for o in approved
            for m in o.milestones.all()
        ],
        actor=actor,
        reason=f"draft of version {roadmap.version}",
        batch_size=None,
    )


def _draft_apply(*, actor: User, roadmap: Roadmap) -> None:
    """On approval, write the draft copies onto the approved objectives (new ones simply become approved),
    keep the progress recorded on milestones that stay, and delete the copies. Nothing to do for a first
    version (it has no copies)."""
    drafts = list(
        Objective.objects.filter(roadmap=roadmap, is_draft=True)
        .select_related("draft_of")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("pk")))
        .order_by("pk")
    )
    if not drafts:
        return
    reason = f"version {roadmap.version} approved"
    approved_of = {d.pk: (d.draft_of_id or d.pk) for d in drafts}
    changed: list[Objective] = []
    for d in drafts:
        target = d.draft_of or d
        if d.draft_of is not None:
            for field in DRAFTED_FIELDS:
                setattr(target, field, getattr(d, field))
        target.merged_into_id = approved_of.get(d.merged_into_id, d.merged_into_id)
        target.is_draft = False
        target.updated_at = timezone.now()
        changed.append(target)
    copies = [d for d in drafts if d.draft_of is not None]
    old_milestones = {
        m.pk: m
        for m in Milestone.objects.filter(objective__in=[d.draft_of_id for d in copies]).prefetch_related("progress")
    }
    kept: set[int | None] = set()
    to_update: list[Milestone] = []
    to_create: list[Milestone] = []
    for d in copies:
        for dm in d.milestones.all():
            m = old_milestones.get(dm.draft_of_id) or Milestone(objective_id=d.draft_of_id)
            for field in MILESTONE_FIELDS:
                setattr(m, field, getattr(dm, field))
            (to_update if m.pk else to_create).append(m)
            kept.add(m.pk)
    # A milestone removed in the draft goes, unless the unit recorded progress on it meanwhile.
    removed = [m for pk, m in old_milestones.items() if pk not in kept and not list(m.progress.all())]
    for d in copies:  # deletions go through the model's signals: simple-history records them
        audit.attribute(d, actor=actor)
        d.delete()  # and its milestones (cascade)
    Objective.objects.bulk_update(changed, [*DRAFTED_FIELDS, "merged_into", "is_draft", "updated_at"])
    audit.record_update(changed, actor=actor, reason=reason)
    Milestone.objects.bulk_update(to_update, list(MILESTONE_FIELDS))
    audit.record_update(to_update, actor=actor, reason=reason)
    audit.bulk_create(Milestone, to_create, actor=actor, reason=reason, batch_size=None)
    for m in removed:
        audit.attribute(m, actor=actor)
        m.delete()


def _decimal(value: Decimal | int | str | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def snapshot(roadmap: Roadmap) -> dict[str, Any]:
    """The roadmap's objectives and milestones as plain JSON (three queries)."""
    objectives = (
        Objective.objects.filter(roadmap=roadmap, is_draft=roadmap.redrafting)
        .select_related("owner", "priority", "merged_into")
        .prefetch_related("milestones")
        .order_by("ref")
    )
    return {
        "year": roadmap.year,
        "version": roadmap.version,
        "objectives": [
            {
                "ref": o.ref,
                "owner": o.owner.code,
                "title": o.title,
                "description": o.description,
                "category": o.category,
                "target": o.target,
                "target_quantity": _decimal(o.target_quantity),
                "target_unit": o.target_unit,
                "priority": o.priority.code if o.priority else None,
                "source_kind": o.source_kind,
                "source_key": o.source_key,
                "state": o.state,
                "drop_reason": o.drop_reason,
                "merged_into": o.merged_into.ref if o.merged_into else None,
                "milestones": [
                    {
                        "title": m.title,
                        "quarter": m.quarter,
                        "due_date": m.due_date.isoformat(),
                        "target_value": _decimal(m.target_value),
                    }
                    for m in o.milestones.all()
                ],
            }
            for o in objectives
        ],
    }


DIFF_FIELDS = (
    "owner",
    "title",
    "description",
    "category",
    "target",
    "target_quantity",
    "target_unit",
    "priority",
    "state",
    "drop_reason",
    "merged_into",
    "milestones",
)


def snapshot_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What changed between two snapshots: objectives added, removed, and changed field by field."""
    before = {o["ref"]: o for o in old["objectives"]}
    after = {o["ref"]: o for o in new["objectives"]}
    changed: list[dict[str, Any]] = []
    for ref in sorted(before.keys() & after.keys()):
        fields = [
            {"field": f, "old": before[ref].get(f), "new": after[ref].get(f)}
            for f in DIFF_FIELDS
            if before[ref].get(f) != after[ref].get(f)
        ]
        if fields:
            changed.append({"ref": ref, "title": after[ref]["title"], "changes": fields})
    return {
        "added": [after[ref] for ref in sorted(after.keys() - before.keys())],
        "removed": [before[ref] for ref in sorted(before.keys() - after.keys())],
        "changed": changed,
    }
