"""Compiling next year's roadmap from the accepted reports and the priorities."""

from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition
from directorates.models import Deliverable, User
from reviews.models import Outcome, ReportConstraint, ReviewCycle
from roadmap.models import (
    Objective,
    Priority,
    Roadmap,
    RoadmapState,
    SourceKind,
)
from roadmap.services.common import (
    CONSTRAINT_CATEGORY,
    REVIEWED_STATES,
    _require_preparer,
    _shorten,
)


def _next_refs(roadmap: Roadmap, existing_refs: Iterable[str]) -> Iterator[str]:
    prefix = f"R{roadmap.year}-"
    numbers = [
        int(ref[len(prefix) :]) for ref in existing_refs if ref.startswith(prefix) and ref[len(prefix) :].isdigit()
    ]
    n = max(numbers, default=0)
    while True:
        n += 1
        yield f"{prefix}{n:04d}"


def _candidate_objectives(roadmap: Roadmap, cycle: ReviewCycle) -> dict[str, Objective]:
    """What the compiler would create, keyed by source key. A fixed number of queries."""
    candidates: dict[str, Objective] = {}
    outcomes = (
        Outcome.objects.filter(
            report__cycle=cycle,
            report__state__in=REVIEWED_STATES,
            status__in=[Outcome.Status.NOT_DONE, Outcome.Status.PARTIAL],
        )
        .select_related("deliverable")
        .order_by("deliverable__directorate__path", "deliverable__due_date", "deliverable_id")
    )
    for outcome in outcomes:
        d = outcome.deliverable
        if outcome.status == Outcome.Status.PARTIAL:
            achieved = _("%(percent)s %% done in %(year)s.") % {
                "percent": outcome.percent_done or 0,
                "year": cycle.year,
            }
        else:
            achieved = _("Not done in %(year)s.") % {"year": cycle.year}
        if outcome.comment:
            achieved = f"{achieved} {outcome.comment}"
        candidates[f"carry_over:{d.pk}"] = Objective(
            roadmap=roadmap,
            owner_id=d.directorate_id,
            title=d.title,
            description=d.description,
            category=d.category,
            target=d.target_display,
            target_quantity=d.target_quantity,
            target_unit=d.target_unit,
            achieved_so_far=achieved,
            source_kind=SourceKind.CARRY_OVER,
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
            roadmap=roadmap,
            owner_id=constraint.report.directorate_id,
            title=_shorten(constraint.remedy or constraint.description),
            description=description,
            category=CONSTRAINT_CATEGORY.get(constraint.category, Deliverable.Category.GOVERNANCE),
            source_kind=SourceKind.CONSTRAINT,
            source_constraint=constraint,
        )
    for priority in Priority.objects.filter(cycle=cycle).prefetch_related("owners").order_by("code"):
        for owner in priority.owners.all():
            candidates[f"priority:{priority.pk}:{owner.pk}"] = Objective(
                roadmap=roadmap,
                owner_id=owner.pk,
                priority=priority,
                title=_shorten(priority.title_fr),
                description=priority.text_fr,
                source_kind=SourceKind.PRIORITY,
            )
    return candidates


@transaction.atomic
def roadmap_compile(*, actor: User, cycle: ReviewCycle) -> tuple[Roadmap, int]:
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
        audit.attribute(roadmap, actor=actor)
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
