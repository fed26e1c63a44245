"""The hand-over: an approved roadmap's objectives become next year's cahiers des charges."""

import datetime

from django.db import transaction
from django.utils import timezone

from core import audit
from directorates import services as directorate_services
from directorates.models import Deliverable, User
from reviews.models import EDITABLE_STATES, Outcome, Report
from roadmap.models import (
    Objective,
    Roadmap,
)
from roadmap.services.common import (
    _shorten,
)


def _objective_due(objective: Objective, year: int) -> datetime.date:
    dates = [m.due_date for m in objective.milestones.all()]
    return max(dates) if dates else datetime.date(year, 12, 31)


@transaction.atomic
def handover_to_cahier_des_charges(*, actor: User, roadmap: Roadmap) -> tuple[list[Deliverable], list[Deliverable]]:
    """Each active objective becomes (or updates) a deliverable of its owner's cahier des charges for the year.

    The deliverable has origin "roadmap" and the objective's reference, so next year's reports are
    judged against the approved roadmap. Bulk writes with history rows; a fixed number of queries.
    Objectives dropped or merged in a later version remove their deliverable if it has no outcome yet.
    A unit whose report for the year is already submitted keeps its cahier des charges as it is: what a
    submitted report was judged against never changes behind it (reviews.services.guard_deliverable_changes).
    """
    year = roadmap.year
    frozen_units = set(
        Report.objects.filter(cycle__year=year)
        .exclude(state__in=EDITABLE_STATES)
        .values_list("directorate_id", flat=True)
    )
    objectives = [
        o
        for o in Objective.objects.filter(roadmap=roadmap, is_draft=False).prefetch_related("milestones")
        if o.owner_id not in frozen_units
    ]
    existing = list(Deliverable.objects.filter(year=year, directorate__in={o.owner_id for o in objectives}))
    by_ref = {d.origin_reference: d for d in existing if d.origin == Deliverable.Origin.ROADMAP}
    titles = {(d.directorate_id, d.title): d for d in existing}
    to_create: list[Deliverable] = []
    to_update: list[Deliverable] = []
    for o in objectives:
        if o.state != Objective.State.ACTIVE:
            continue
        deliverable = by_ref.get(o.ref)
        title = _shorten(o.title)
        clash = titles.get((o.owner_id, title))
        if clash is not None and clash is not deliverable:
            title = _shorten(f"{o.title} [{o.ref}]")
        values = {
            "directorate_id": o.owner_id,
            "title": title,
            "description": o.description,
            "category": o.category,
            "target_quantity": o.target_quantity,
            "target_unit": o.target_unit,
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
    audit.bulk_create(
        Deliverable, to_create, actor=actor, reason=f"roadmap {year} v{roadmap.version} approved", batch_size=None
    )
    if to_update:
        Deliverable.objects.bulk_update(
            to_update,
            [
                "directorate",
                "title",
                "description",
                "category",
                "target_quantity",
                "target_unit",
                "due_date",
                "updated_at",
            ],
        )
        audit.record_update(to_update, actor=actor, reason=f"roadmap {year} v{roadmap.version} approved")
    # New deliverables, and those moved to another owner unit, join that unit's cahier des charges.
    directorate_services.deliverables_added(deliverables=to_create + to_update, actor=actor)
    inactive_refs = {o.ref for o in objectives if o.state != Objective.State.ACTIVE}
    stale = [d for ref, d in by_ref.items() if ref in inactive_refs]
    if stale:
        with_outcome = set(
            Outcome.objects.filter(deliverable__in=stale).exclude(status="").values_list("deliverable_id", flat=True)
        )
        for d in stale:
            if d.pk not in with_outcome:
                d.outcomes.all().delete()
                audit.attribute(d, actor=actor)
                d.delete()
    return to_create, to_update
