"""Writes and rules for the meeting, the priorities and the roadmap.

Every write goes through here, whether from the web pages, the API, the admin or the demo.
Transitions follow reviews.services: permission check, conditional-update claim, event row,
history row, announcement on commit.
"""

import datetime
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max, OuterRef, Prefetch, Subquery
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.transitions import StateMachine, move
from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from directorates import services as directorate_services
from directorates.models import Deliverable, Membership
from reviews.models import EDITABLE_STATES, Outcome, Report, ReportConstraint, ReportState
from roadmap import permissions
from roadmap.models import (
    ROADMAP_TRANSITIONS,
    AgendaItem,
    Attendance,
    Meeting,
    Milestone,
    Objective,
    Priority,
    ProgressUpdate,
    Roadmap,
    RoadmapEvent,
    RoadmapState,
    RoadmapVersion,
    SourceKind,
    quarter_end,
)

# Sent after the transaction commits, once per roadmap state change: notifications hook in here.
roadmap_state_changed = Signal()  # kwargs: event_id

# Reports whose content feeds the meeting and the roadmap: the ones the DG's office accepted.
REVIEWED_STATES = (ReportState.ACCEPTED, ReportState.LOCKED)

CONSTRAINT_CATEGORY = {
    ReportConstraint.Category.HUMAN_RESOURCES: Deliverable.Category.HUMAN_RESOURCES,
    ReportConstraint.Category.BUDGET: Deliverable.Category.GOVERNANCE,
    ReportConstraint.Category.EQUIPMENT: Deliverable.Category.EQUIPMENT,
    ReportConstraint.Category.INFRASTRUCTURE: Deliverable.Category.INFRASTRUCTURE,
    ReportConstraint.Category.LEGAL: Deliverable.Category.GOVERNANCE,
    ReportConstraint.Category.COORDINATION: Deliverable.Category.COOPERATION,
    ReportConstraint.Category.OTHER: Deliverable.Category.GOVERNANCE,
}


def _shorten(text, limit=300):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _require_preparer(actor, message=None):
    if not permissions.can_prepare(actor):
        raise NotAllowed(message or _("Only the DG's office may prepare the meeting and the roadmap."))


# ---------------------------------------------------------------- the meeting


def _heads_by_unit(unit_ids):
    heads = {}
    for membership in Membership.objects.filter(directorate__in=unit_ids, role=Membership.Role.HEAD).order_by("id"):
        heads.setdefault(membership.directorate_id, membership.user_id)
    return heads


@transaction.atomic
def meeting_build(*, actor, cycle, date=None, place=None):
    """Create (or bring up to date) the cycle's meeting.

    One agenda item per accepted report, appended in the organisation tree's order; the head of each
    unit on the agenda is invited. Building again adds what was accepted since, and keeps the order
    and the attendance already recorded.
    """
    _require_preparer(actor)
    meeting = Meeting.objects.select_for_update().filter(cycle=cycle).first()
    if meeting is None:
        meeting = Meeting(cycle=cycle, date=date or cycle.meeting_date, place=place or "", created_by=actor)
        meeting._history_user = actor
        meeting.save()
    elif date is not None or place is not None:
        meeting.date = date or meeting.date
        meeting.place = meeting.place if place is None else place
        meeting._history_user = actor
        meeting.save()
    on_agenda = set(meeting.agenda.values_list("directorate_id", flat=True))
    last = meeting.agenda.aggregate(n=Max("position"))["n"] or 0
    reports = list(
        Report.objects.filter(cycle=cycle, state__in=REVIEWED_STATES).exclude(directorate__in=on_agenda)
        .select_related("directorate").order_by("directorate__path")
    )
    audit.bulk_create(AgendaItem, [
        AgendaItem(meeting=meeting, directorate=r.directorate, report=r, position=last + i)
        for i, r in enumerate(reports, start=1)
    ], actor=actor, reason="agenda built from accepted reports")
    meeting_invite(actor=actor, meeting=meeting, directorates=[r.directorate for r in reports])
    return meeting


@transaction.atomic
def meeting_invite(*, actor, meeting, directorates):
    """Invite units (their head at this moment) to the meeting; already invited units are kept as they are."""
    _require_preparer(actor)
    invited = set(meeting.attendance.values_list("directorate_id", flat=True))
    new = [d for d in directorates if d.pk not in invited]
    heads = _heads_by_unit([d.pk for d in new])
    audit.bulk_create(Attendance, [
        Attendance(meeting=meeting, directorate=d, person_id=heads.get(d.pk)) for d in new
    ], actor=actor, reason="invited")


@transaction.atomic
def agenda_move(*, actor, item, direction):
    """Swap an agenda item with its neighbour ("up" or "down")."""
    _require_preparer(actor)
    items = list(AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("position", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return item
    items[index], items[other] = items[other], items[index]
    changed = []
    for position, it in enumerate(items, start=1):
        if it.position != position:
            it.position = position
            changed.append(it)
    AgendaItem.objects.bulk_update(changed, ["position"])
    audit.record_update(changed, actor=actor, reason="agenda reordered")
    return item


@transaction.atomic
def attendance_record(*, actor, meeting, present_unit_ids):
    """Mark who attended: the invited units in ``present_unit_ids`` are present, the others absent."""
    _require_preparer(actor)
    present = {int(pk) for pk in present_unit_ids}
    rows = list(meeting.attendance.select_for_update())
    changed = []
    for row in rows:
        value = row.directorate_id in present
        if row.present != value:
            row.present = value
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["present"])
    audit.record_update(changed, actor=actor, reason="attendance recorded")
    return meeting


# ---------------------------------------------------------------- priorities

PRIORITY_FIELDS = ("code", "title_fr", "title_ar", "title_en", "text_fr", "text_ar", "text_en")


def _validate_priority(cycle, data, instance=None):
    errors = {}
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
def priority_create(*, actor, cycle, owners=(), **data):
    """Record a priority of the DG's orientation speech, with the units that must carry it out."""
    if not permissions.can_record_priorities(actor):
        raise NotAllowed(_("Only the DG or the DG's office may record the priorities."))
    _validate_priority(cycle, data)
    priority = Priority(cycle=cycle, **{f: (data.get(f) or "").strip() for f in PRIORITY_FIELDS})
    priority._history_user = actor
    priority.save()
    if owners:
        priority.owners.set(owners)
    return priority


@transaction.atomic
def priority_update(*, actor, priority, owners=None, **data):
    if not permissions.can_record_priorities(actor):
        raise NotAllowed(_("Only the DG or the DG's office may record the priorities."))
    merged = {f: data.get(f, getattr(priority, f)) for f in PRIORITY_FIELDS}
    _validate_priority(priority.cycle, merged, instance=priority)
    for field, value in merged.items():
        setattr(priority, field, (value or "").strip())
    priority._history_user = actor
    priority.save()
    if owners is not None:
        priority.owners.set(owners)
    return priority


# ---------------------------------------------------------------- compiling the roadmap


def _next_refs(roadmap, existing_refs):
    prefix = f"R{roadmap.year}-"
    numbers = [int(ref[len(prefix):]) for ref in existing_refs
               if ref.startswith(prefix) and ref[len(prefix):].isdigit()]
    n = max(numbers, default=0)
    while True:
        n += 1
        yield f"{prefix}{n:04d}"


def _candidate_objectives(roadmap, cycle):
    """What the compiler would create, keyed by source key. A fixed number of queries."""
    candidates = {}
    outcomes = (
        Outcome.objects.filter(
            report__cycle=cycle, report__state__in=REVIEWED_STATES,
            status__in=[Outcome.Status.NOT_DONE, Outcome.Status.PARTIAL],
        )
        .select_related("deliverable")
        .order_by("deliverable__directorate__path", "deliverable__due_date", "deliverable_id")
    )
    for outcome in outcomes:
        d = outcome.deliverable
        if outcome.status == Outcome.Status.PARTIAL:
            achieved = _("%(percent)s %% done in %(year)s.") % {
                "percent": outcome.percent_done or 0, "year": cycle.year}
        else:
            achieved = _("Not done in %(year)s.") % {"year": cycle.year}
        if outcome.comment:
            achieved = f"{achieved} {outcome.comment}"
        candidates[f"carry_over:{d.pk}"] = Objective(
            roadmap=roadmap, owner_id=d.directorate_id, title=d.title, description=d.description,
            category=d.category, target=d.target_display, target_quantity=d.target_quantity,
            target_unit=d.target_unit, achieved_so_far=achieved, source_kind=SourceKind.CARRY_OVER,
            source_deliverable=d,
        )
    constraints = (
        ReportConstraint.objects.filter(report__cycle=cycle, report__state__in=REVIEWED_STATES, needs_action=True)
        .select_related("report")
        .order_by("report__directorate__path", "id")
    )
    for constraint in constraints:
        description = constraint.description
        if constraint.remedy:
            description = f"{description}\n\n{_('What would lift it')}: {constraint.remedy}"
        candidates[f"constraint:{constraint.pk}"] = Objective(
            roadmap=roadmap, owner_id=constraint.report.directorate_id,
            title=_shorten(constraint.remedy or constraint.description), description=description,
            category=CONSTRAINT_CATEGORY.get(constraint.category, Deliverable.Category.GOVERNANCE),
            source_kind=SourceKind.CONSTRAINT, source_constraint=constraint,
        )
    for priority in Priority.objects.filter(cycle=cycle).prefetch_related("owners").order_by("code"):
        for owner in priority.owners.all():
            candidates[f"priority:{priority.pk}:{owner.pk}"] = Objective(
                roadmap=roadmap, owner_id=owner.pk, priority=priority, title=_shorten(priority.title_fr),
                description=priority.text_fr, source_kind=SourceKind.PRIORITY,
            )
    return candidates


@transaction.atomic
def roadmap_compile(*, actor, cycle):
    """Compile (or complete) the draft roadmap for ``cycle.year + 1``.

    Creates an objective for every deliverable not done or partly done in an accepted report
    (carried over, with what was achieved), every constraint needing action and every priority per
    owning unit. Objectives already compiled — edited, merged or dropped since — are never touched:
    compiling again only adds what is new. The number of queries does not depend on the number of
    units (the inserts are batched by the database's parameter limit).
    Returns ``(roadmap, number of objectives created)``.
    """
    _require_preparer(actor, _("Only the DG's office may compile the roadmap."))
    roadmap = Roadmap.objects.select_for_update().filter(cycle=cycle).first()
    if roadmap is None:
        roadmap = Roadmap(cycle=cycle, year=cycle.year + 1)
        roadmap._history_user = actor
        roadmap.save()
    if roadmap.state != RoadmapState.DRAFT:
        raise InvalidTransition(
            _("The roadmap is %(state)s: start a new version to change it.")
            % {"state": roadmap.get_state_display().lower()}
        )
    existing = dict(Objective.objects.filter(roadmap=roadmap).values_list("source_key", "ref"))
    refs = _next_refs(roadmap, existing.values())
    new = []
    for key, objective in _candidate_objectives(roadmap, cycle).items():
        if key in existing:
            continue
        objective.source_key = key
        objective.ref = next(refs)
        objective.is_draft = roadmap.redrafting
        new.append(objective)
    audit.bulk_create(Objective, new, actor=actor, reason="compiled", batch_size=None)
    now = timezone.now()
    Roadmap.objects.filter(pk=roadmap.pk).update(compiled_at=now, updated_at=now)
    roadmap.compiled_at = roadmap.updated_at = now
    audit.record_update([roadmap], actor=actor, reason="compiled")
    return roadmap, len(new)


# ---------------------------------------------------------------- editing objectives

OBJECTIVE_FIELDS = ("title", "description", "category", "target", "target_quantity", "target_unit",
                    "achieved_so_far", "owner", "priority")


def _check_editable(actor, roadmap, *objectives):
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


def _validate_objective(roadmap, data):
    errors = {}
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


def _save(obj, actor):
    obj._history_user = actor
    obj.save()
    return obj


@transaction.atomic
def objective_create(*, actor, roadmap, milestones=None, **data):
    """Add a new project to the draft roadmap."""
    _check_editable(actor, roadmap)
    data.setdefault("category", Deliverable.Category.GOVERNANCE)
    _validate_objective(roadmap, data)
    existing = Objective.objects.filter(roadmap=roadmap).values_list("ref", flat=True)
    objective = Objective(roadmap=roadmap, source_kind=SourceKind.NEW, source_key=f"new:{uuid.uuid4().hex}",
                          ref=next(_next_refs(roadmap, existing)), edited=True, is_draft=roadmap.redrafting)
    for field in OBJECTIVE_FIELDS:
        if field in data:
            setattr(objective, field, data[field] if data[field] is not None or field in ("owner", "priority",
                                                                                            "target_quantity") else "")
    objective.title = objective.title.strip()
    _save(objective, actor)
    if milestones is not None:
        milestones_set(actor=actor, objective=objective, milestones=milestones)
    return objective


@transaction.atomic
def objective_update(*, actor, objective, milestones=None, **data):
    """Change an objective's fields (and, when given, replace its milestones)."""
    objective, = _check_editable(actor, objective.roadmap, objective)
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
def objective_drop(*, actor, objective, reason):
    """Drop an objective, saying why. Compiling again will not bring it back."""
    objective, = _check_editable(actor, objective.roadmap, objective)
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the objective is dropped."),
                               errors={"drop_reason": [_("A reason is required to drop an objective.")]})
    objective.state = Objective.State.DROPPED
    objective.drop_reason = reason.strip()
    objective.edited = True
    return _save(objective, actor)


@transaction.atomic
def objective_restore(*, actor, objective):
    objective, = _check_editable(actor, objective.roadmap, objective)
    objective.state = Objective.State.ACTIVE
    objective.drop_reason = ""
    objective.merged_into = None
    objective.edited = True
    return _save(objective, actor)


@transaction.atomic
def objective_merge(*, actor, into, others):
    """Merge ``others`` into ``into``: they stay on record as merged, pointing to it."""
    into, *others = _check_editable(actor, into.roadmap, into, *others)
    others = [o for o in others if o.pk != into.pk]
    if into.state != Objective.State.ACTIVE:
        raise ValidationFailed(_("Merge into an active objective."))
    errors = {}
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
def objective_split(*, actor, objective, titles):
    """Split an objective: it keeps the first title, a new objective (same source and owner) is made per other."""
    objective, = _check_editable(actor, objective.roadmap, objective)
    titles = [t.strip() for t in titles if (t or "").strip()]
    if len(titles) < 2:
        raise ValidationFailed(_("Give at least two titles to split an objective."),
                               errors={"titles": [_("At least two titles.")]})
    objective.title = _shorten(titles[0])
    objective.edited = True
    _save(objective, actor)
    existing = list(Objective.objects.filter(roadmap=objective.roadmap).values_list("ref", flat=True))
    refs = _next_refs(objective.roadmap, existing)
    parts = [objective]
    for title in titles[1:]:
        part = Objective(
            roadmap=objective.roadmap, ref=next(refs), owner_id=objective.owner_id, priority=objective.priority,
            title=_shorten(title), description=objective.description, category=objective.category,
            target_unit=objective.target_unit, achieved_so_far=objective.achieved_so_far,
            source_kind=objective.source_kind, source_key=f"split:{objective.pk}:{uuid.uuid4().hex[:12]}",
            source_deliverable_id=objective.source_deliverable_id,
            source_constraint_id=objective.source_constraint_id, edited=True, is_draft=objective.is_draft,
        )
        parts.append(_save(part, actor))
    return parts


@transaction.atomic
def milestones_set(*, actor, objective, milestones):
    """Make the objective's milestones equal to ``milestones`` (dicts; ``id`` for existing ones).

    Each has a title, a quarter (1–4, due at its end) or a due date within the roadmap's year, and a
    target (> 0). A milestone with progress recorded cannot be removed.
    """
    objective, = _check_editable(actor, objective.roadmap, objective)
    year = objective.roadmap.year
    # A draft copy's milestone keeps the progress of the approved milestone it copies (draft_of).
    current = {m.pk: m for m in objective.milestones.select_related("draft_of")
               .prefetch_related("progress", "draft_of__progress")}
    copied = {m.draft_of_id: m.pk for m in current.values() if m.draft_of_id}  # approved id → its copy
    errors, keep, to_save = {}, set(), []
    for index, item in enumerate(milestones):
        pk = item.get("id")
        pk = copied.get(pk, pk) if pk not in current else pk
        if pk is not None and pk not in current:
            errors[str(index)] = {"id": [_("Unknown milestone for this objective.")]}
            continue
        milestone = current.get(pk) or Milestone(objective=objective)
        field_errors = {}
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
        raise ValidationFailed(_("The milestones were not saved: correct the fields marked."),
                               errors={"milestones": errors})
    for m in to_save:
        _save(m, actor)
    for m in removed:
        m._history_user = actor
        m.delete()
    Objective.objects.filter(pk=objective.pk).update(edited=True, updated_at=timezone.now())
    # update() bypasses simple-history's signals: the objective's edit is recorded by hand.
    audit.record_update([Objective.objects.get(pk=objective.pk)], actor=actor, reason="milestones changed")
    return to_save


# ---------------------------------------------------------------- transitions


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
    invalid_message=lambda from_state, to_state: _("A roadmap that is %(state)s cannot become %(target)s.") % {
        "state": RoadmapState(from_state).label.lower(), "target": RoadmapState(to_state).label.lower()},
    stale_message=lambda: _("Someone else changed this roadmap's state meanwhile. Reload it."),
)


def _transition(*, actor, roadmap, to_state, comment="", extra=None):
    """The roadmap moves (core.transitions): checked, claimed, its event and history written, announced."""
    move(ROADMAP_MACHINE, instance=roadmap, actor=actor, to_state=to_state, comment=comment, extra=extra)
    return roadmap


def _require_state(roadmap, state, verb):
    if roadmap.state != state:
        raise InvalidTransition(
            _("A roadmap that is %(state)s cannot be %(verb)s.")
            % {"state": roadmap.get_state_display().lower(), "verb": verb}
        )


@transaction.atomic
def roadmap_propose(*, actor, roadmap, comment=""):
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
def roadmap_return(*, actor, roadmap, comment):
    """An approver sends the proposed roadmap back to be reworked, saying what to change (the proposer is told)."""
    if not permissions.can_approve(actor):
        raise NotAllowed(_("Sending the roadmap back needs the right to approve it."))
    if not (comment or "").strip():
        raise ValidationFailed(_("Say what must change."),
                               errors={"comment": [_("A comment is required to send the roadmap back.")]})
    _require_state(roadmap, RoadmapState.PROPOSED, _("sent back"))
    return _transition(actor=actor, roadmap=roadmap, to_state=RoadmapState.DRAFT, comment=comment.strip())


@transaction.atomic
def roadmap_approve(*, actor, roadmap, comment=""):
    """A holder of the approval right approves: the version is frozen, with who proposed and who approved it,
    and each unit's objectives become its cahier des charges.

    With ``settings.ROADMAP_FOUR_EYES`` on, the person who proposed the version may not approve it.
    """
    problem = permissions.approval_problem(actor, roadmap)
    if problem:
        raise NotAllowed(problem)
    _require_state(roadmap, RoadmapState.PROPOSED, _("approved"))
    proposal = permissions.proposal_event(roadmap)
    roadmap = _transition(actor=actor, roadmap=roadmap, to_state=RoadmapState.APPROVED, comment=comment,
                          extra={"approved_version": F("version")})
    _draft_apply(actor=actor, roadmap=roadmap)
    RoadmapVersion.objects.create(
        roadmap=roadmap, number=roadmap.version, approved_by=actor, approved_at=timezone.now(), comment=comment,
        proposed_by_id=proposal.actor_id if proposal else None, proposed_at=proposal.created_at if proposal else None,
        snapshot=snapshot(roadmap),
    )
    handover_to_cahier_des_charges(actor=actor, roadmap=roadmap)
    return roadmap


@transaction.atomic
def roadmap_new_version(*, actor, roadmap, comment=""):
    """Reopen an approved roadmap as the draft of its next version; the approved one stays frozen."""
    if not permissions.can_prepare(actor):
        raise NotAllowed(_("Only the DG's office may start a new version of the roadmap."))
    _require_state(roadmap, RoadmapState.APPROVED, _("reopened as a new version"))
    roadmap = _transition(actor=actor, roadmap=roadmap, to_state=RoadmapState.DRAFT, comment=comment,
                          extra={"version": F("version") + 1})
    _draft_open(actor=actor, roadmap=roadmap)
    return roadmap


# The fields a draft copy carries over to the approved objective when its version is approved.
DRAFTED_FIELDS = ("owner", "priority", "title", "description", "category", "target", "target_quantity",
                  "target_unit", "achieved_so_far", "state", "drop_reason", "edited")
MILESTONE_FIELDS = ("title", "quarter", "due_date", "target_value", "position")


def _draft_open(*, actor, roadmap):
    """Copy the approved objectives and milestones as the draft of the next version. The office edits the
    copies; units keep reading and tracking the approved rows until the draft is approved. A fixed number
    of queries whatever the number of objectives."""
    approved = list(Objective.objects.filter(roadmap=roadmap, is_draft=False).prefetch_related("milestones")
                    .order_by("pk"))
    skip = {"id", "is_draft", "draft_of", "merged_into", "created_at", "updated_at"}
    names = [f.attname for f in Objective._meta.concrete_fields if f.name not in skip]
    copies = audit.bulk_create(Objective, [
        Objective(is_draft=True, draft_of_id=o.pk, **{name: getattr(o, name) for name in names}) for o in approved
    ], actor=actor, reason=f"draft of version {roadmap.version}", batch_size=None)
    copy_of = {o.pk: c for o, c in zip(approved, copies, strict=True)}
    merged = []
    for o in approved:
        if o.merged_into_id:
            copy_of[o.pk].merged_into_id = copy_of[o.merged_into_id].pk
            merged.append(copy_of[o.pk])
    Objective.objects.bulk_update(merged, ["merged_into"])
    audit.bulk_create(Milestone, [
        Milestone(objective=copy_of[o.pk], draft_of=m, progress_value=m.progress_value, progress_on=m.progress_on,
                  **{f: getattr(m, f) for f in MILESTONE_FIELDS})
        for o in approved for m in o.milestones.all()
    ], actor=actor, reason=f"draft of version {roadmap.version}", batch_size=None)


def _draft_apply(*, actor, roadmap):
    """On approval, write the draft copies onto the approved objectives (new ones simply become approved),
    keep the progress recorded on milestones that stay, and delete the copies. Nothing to do for a first
    version (it has no copies)."""
    drafts = list(
        Objective.objects.filter(roadmap=roadmap, is_draft=True).select_related("draft_of")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("pk"))).order_by("pk")
    )
    if not drafts:
        return
    reason = f"version {roadmap.version} approved"
    approved_of = {d.pk: (d.draft_of_id or d.pk) for d in drafts}
    changed = []
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
    old_milestones = {m.pk: m for m in Milestone.objects.filter(objective__in=[d.draft_of_id for d in copies])
                      .prefetch_related("progress")}
    kept, to_update, to_create = set(), [], []
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
        d._history_user = actor
        d.delete()  # and its milestones (cascade)
    Objective.objects.bulk_update(changed, [*DRAFTED_FIELDS, "merged_into", "is_draft", "updated_at"])
    audit.record_update(changed, actor=actor, reason=reason)
    Milestone.objects.bulk_update(to_update, list(MILESTONE_FIELDS))
    audit.record_update(to_update, actor=actor, reason=reason)
    audit.bulk_create(Milestone, to_create, actor=actor, reason=reason, batch_size=None)
    for m in removed:
        m._history_user = actor
        m.delete()


# ---------------------------------------------------------------- versions


def _decimal(value):
    return None if value is None else format(Decimal(value).normalize(), "f")


def snapshot(roadmap):
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
                    {"title": m.title, "quarter": m.quarter, "due_date": m.due_date.isoformat(),
                     "target_value": _decimal(m.target_value)}
                    for m in o.milestones.all()
                ],
            }
            for o in objectives
        ],
    }


DIFF_FIELDS = ("owner", "title", "description", "category", "target", "target_quantity", "target_unit",
               "priority", "state", "drop_reason", "merged_into", "milestones")


def snapshot_diff(old, new):
    """What changed between two snapshots: objectives added, removed, and changed field by field."""
    before = {o["ref"]: o for o in old["objectives"]}
    after = {o["ref"]: o for o in new["objectives"]}
    changed = []
    for ref in sorted(before.keys() & after.keys()):
        fields = [
            {"field": f, "old": before[ref].get(f), "new": after[ref].get(f)}
            for f in DIFF_FIELDS if before[ref].get(f) != after[ref].get(f)
        ]
        if fields:
            changed.append({"ref": ref, "title": after[ref]["title"], "changes": fields})
    return {
        "added": [after[ref] for ref in sorted(after.keys() - before.keys())],
        "removed": [before[ref] for ref in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


# ---------------------------------------------------------------- the hand-over


def _objective_due(objective, year):
    dates = [m.due_date for m in objective.milestones.all()]
    return max(dates) if dates else datetime.date(year, 12, 31)


@transaction.atomic
def handover_to_cahier_des_charges(*, actor, roadmap):
    """Each active objective becomes (or updates) a deliverable of its owner's cahier des charges for the year.

    The deliverable has origin "roadmap" and the objective's reference, so next year's reports are
    judged against the approved roadmap. Bulk writes with history rows; a fixed number of queries.
    Objectives dropped or merged in a later version remove their deliverable if it has no outcome yet.
    A unit whose report for the year is already submitted keeps its cahier des charges as it is: what a
    submitted report was judged against never changes behind it (reviews.services.guard_deliverable_changes).
    """
    year = roadmap.year
    frozen_units = set(
        Report.objects.filter(cycle__year=year).exclude(state__in=EDITABLE_STATES).values_list("directorate_id",
                                                                                             flat=True)
    )
    objectives = [o for o in Objective.objects.filter(roadmap=roadmap, is_draft=False).prefetch_related("milestones")
                  if o.owner_id not in frozen_units]
    existing = list(Deliverable.objects.filter(year=year, directorate__in={o.owner_id for o in objectives}))
    by_ref = {d.origin_reference: d for d in existing if d.origin == Deliverable.Origin.ROADMAP}
    titles = {(d.directorate_id, d.title): d for d in existing}
    to_create, to_update = [], []
    for o in objectives:
        if o.state != Objective.State.ACTIVE:
            continue
        deliverable = by_ref.get(o.ref)
        title = _shorten(o.title)
        clash = titles.get((o.owner_id, title))
        if clash is not None and clash is not deliverable:
            title = _shorten(f"{o.title} [{o.ref}]")
        values = {
            "directorate_id": o.owner_id, "title": title, "description": o.description, "category": o.category,
            "target_quantity": o.target_quantity, "target_unit": o.target_unit,
            "due_date": _objective_due(o, year),
        }
        if deliverable is None:
            deliverable = Deliverable(year=year, origin=Deliverable.Origin.ROADMAP, origin_reference=o.ref, **values)
            to_create.append(deliverable)
        elif any(getattr(deliverable, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(deliverable, k, v)
            deliverable.updated_at = timezone.now()
            to_update.append(deliverable)
        titles[(o.owner_id, title)] = deliverable
    audit.bulk_create(Deliverable, to_create, actor=actor, reason=f"roadmap {year} v{roadmap.version} approved",
                      batch_size=None)
    if to_update:
        Deliverable.objects.bulk_update(
            to_update, ["directorate", "title", "description", "category", "target_quantity", "target_unit",
                        "due_date", "updated_at"])
        audit.record_update(to_update, actor=actor, reason=f"roadmap {year} v{roadmap.version} approved")
    # New deliverables, and those moved to another owner unit, join that unit's cahier des charges.
    directorate_services.deliverables_added(deliverables=to_create + to_update, actor=actor)
    inactive_refs = {o.ref for o in objectives if o.state != Objective.State.ACTIVE}
    stale = [d for ref, d in by_ref.items() if ref in inactive_refs]
    if stale:
        with_outcome = set(Outcome.objects.filter(deliverable__in=stale).exclude(status="")
                           .values_list("deliverable_id", flat=True))
        for d in stale:
            if d.pk not in with_outcome:
                d.outcomes.all().delete()
                d._history_user = actor
                d.delete()
    return to_create, to_update


# ---------------------------------------------------------------- tracking


@transaction.atomic
def progress_record(*, actor, milestone, value, comment="", evidence="", recorded_on=None):
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
    errors = {}
    if value is None or Decimal(value) < 0:
        errors["value"] = [_("Give the value reached (zero or more).")]
    if recorded_on > today:
        errors["recorded_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationFailed(_("The progress was not recorded."), errors=errors)
    update = ProgressUpdate(milestone=milestone, value=value, comment=(comment or "").strip(),
                            evidence=(evidence or "").strip(), recorded_on=recorded_on, recorded_by=actor)
    _save(update, actor)
    milestones_keep_latest_progress(Milestone.objects.filter(pk=milestone.pk))
    # A draft copy of the milestone (a next version being drafted) shows the same latest progress.
    Milestone.objects.filter(draft_of=milestone.pk).update(
        progress_value=Subquery(Milestone.objects.filter(pk=milestone.pk).values("progress_value")[:1]),
        progress_on=Subquery(Milestone.objects.filter(pk=milestone.pk).values("progress_on")[:1]))
    return update


def milestones_keep_latest_progress(milestones):
    """Store on each milestone its latest progress (value, date): one UPDATE (read by roadmap.status)."""
    latest = ProgressUpdate.objects.filter(milestone=OuterRef("pk")).order_by("-recorded_on", "-created_at", "-pk")
    milestones.update(progress_value=Subquery(latest.values("value")[:1]),
                      progress_on=Subquery(latest.values("recorded_on")[:1]))
