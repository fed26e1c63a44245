"""Reads of the meeting, the priorities and the roadmap, shaped for pages and the API.

Scoped to what the user may see: the DG's office and the DG see everything; a unit's people see
their units' objectives (directorates.permissions) once the roadmap has been approved.
Statuses are computed by the database (roadmap.status): lists filter, count and paginate in SQL.
"""

import datetime
from collections import Counter, defaultdict, namedtuple
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from directorates.models import Directorate, Membership, User
from directorates.permissions import visible_directorates_q
from reviews.models import (
    DeadlineExtension,
    Outcome,
    Report,
    ReportEvent,
    ReviewCycle,
    ReviewItem,
    ReviewItemComment,
)
from roadmap.models import (
    AgendaItem,
    Attendance,
    Meeting,
    Milestone,
    Objective,
    ObjectiveStatus,
    Priority,
    ProgressUpdate,
    Roadmap,
    RoadmapEvent,
    RoadmapState,
    RoadmapVersion,
)
from roadmap.permissions import can_read_drafts, readable_objectives_q
from roadmap.status import (
    milestone_annotations,
    milestones_with_status,
    objective_status_expression,
    status_counts,
)


def roadmap_for_year(year: int) -> Roadmap | None:
    return Roadmap.objects.select_related("cycle").filter(year=year).first()


def roadmap_list(*, user: User) -> QuerySet[Roadmap]:
    """Roadmaps the user may read, newest first, with ``objective_count``: the active objectives the user
    may see. A unit's people read only roadmaps that have an approved version (``can_read_drafts``)."""
    qs = (
        Roadmap.objects.select_related("cycle")
        .prefetch_related(
            Prefetch("versions", queryset=RoadmapVersion.objects.select_related("proposed_by", "approved_by")),
            "events__actor",
        )
        .annotate(
            objective_count=Count(
                "objectives",
                filter=Q(objectives__state=Objective.State.ACTIVE)
                & readable_objectives_q(user, "objectives__", roadmap_prefix=""),
            )
        )
        .order_by("-year")
    )
    if not can_read_drafts(user):
        qs = qs.filter(approved_version__isnull=False)
    return qs


def roadmap_events(roadmap: Roadmap) -> QuerySet[RoadmapEvent]:
    return RoadmapEvent.objects.filter(roadmap=roadmap).select_related("actor")


def _milestones_prefetch(as_of: datetime.date) -> Prefetch:
    return Prefetch(
        "milestones",
        queryset=milestones_with_status(as_of).prefetch_related(
            Prefetch("progress", queryset=ProgressUpdate.objects.select_related("recorded_by"))
        ),
    )


def objective_queryset(*, user: User, as_of: datetime.date | None = None) -> QuerySet[Objective]:
    """Objectives the user may read, with ``status`` computed on ``as_of`` (today by default) in the database,
    and owner, priority, roadmap, milestones (each with its ``status`` and ``latest_value``) and progress loaded.

    A lazy queryset: filter, order and slice it before it runs; the prefetches only load the page's rows.
    """
    as_of = as_of or timezone.localdate()
    qs = (
        Objective.objects.select_related(
            "owner", "priority", "roadmap", "merged_into", "source_deliverable", "source_constraint"
        )
        .annotate(status=objective_status_expression(as_of))
        .prefetch_related(_milestones_prefetch(as_of))
    )
    return _visible(qs, user)


def objective_by_id(*, user: User, pk: int) -> QuerySet[Objective]:
    """``objective_queryset`` narrowed to one objective. While a next version is drafted, an approved
    objective's id leads the DG's office to its draft copy (the row it edits), and units to the approved row."""
    return (
        objective_queryset(user=user)
        .filter(Q(pk=pk) | Q(draft_of_id=pk))
        .prefetch_related(
            # A draft copy's milestones show the progress recorded on the approved ones (Milestone.tracked_progress).
            Prefetch("milestones__draft_of__progress", queryset=ProgressUpdate.objects.select_related("recorded_by"))
        )
    )


def _visible(qs: QuerySet[Objective], user: User) -> QuerySet[Objective]:
    return qs.filter(readable_objectives_q(user))


def objective_list(
    *,
    user: User,
    year: int,
    owner: str | None = None,
    priority: str | None = None,
    status: str | None = None,
    source: str | None = None,
    state: str | None = "active",
    as_of: datetime.date | None = None,
) -> QuerySet[Objective]:
    """The year's objectives with ``status`` computed on ``as_of`` (today by default), filtered in SQL.

    Returns a lazy queryset: paginating it fetches (and prefetches for) one page only.
    """
    qs = objective_queryset(user=user, as_of=as_of).filter(roadmap__year=year)
    if owner:
        qs = qs.filter(owner__code=owner)
    if priority:
        qs = qs.filter(priority__code=priority)
    if source:
        qs = qs.filter(source_kind=source)
    if state:
        qs = qs.filter(state=state)
    if status:
        # ``status`` is annotated by objective_queryset: the stubs' plugin cannot see it through the call.
        qs = qs.filter(status=status)  # type: ignore[misc]
    return qs


def milestone_queryset(*, user: User, as_of: datetime.date | None = None) -> QuerySet[Milestone]:
    """Milestones of objectives the user may read, with ``status`` and ``latest_value`` and their progress."""
    visible = _visible(Objective.objects.all(), user).values("pk")
    return (
        milestones_with_status(as_of or timezone.localdate())
        .filter(objective__in=visible)
        .select_related("objective__owner", "objective__roadmap")
        .prefetch_related("progress__recorded_by")
    )


def roadmap_units(*, user: User, year: int) -> QuerySet[Directorate]:
    """The units that own objectives of the year's roadmap and that the user may see (filter choices)."""
    owners = _visible(Objective.objects.filter(roadmap__year=year), user).values("owner_id")
    return (
        Directorate.objects.filter(visible_directorates_q(user), pk__in=owners)
        .only("id", "code", "path", "name_fr", "name_ar", "name_en")
        .order_by("path")
    )


SET_ASIDE_LISTED = 100


def objectives_set_aside(roadmap: Roadmap) -> list[Objective]:
    """The first dropped or merged objectives of the roadmap (the office's view), without their milestones."""
    return list(
        Objective.objects.filter(roadmap=roadmap, is_draft=roadmap.redrafting)
        .exclude(state=Objective.State.ACTIVE)
        .select_related("merged_into")
        .order_by("ref")[:SET_ASIDE_LISTED]
    )


def tracking_summary(objectives: QuerySet[Objective], as_of: datetime.date | None = None) -> dict[str, Any]:
    """Counts by status, by priority and by unit, computed in the database from ``objectives``
    (an ``objective_list`` queryset, statuses on ``as_of``: today by default) with one GROUP BY
    (roadmap.status.status_counts). The late objectives are a filter of the objectives table
    (``status=late``), not a second pass.
    """
    rows = status_counts(objectives, as_of or timezone.localdate())
    zero = dict.fromkeys(ObjectiveStatus.values, 0)
    by_status = dict(zero)
    by_priority: dict[int | None, dict[str, int]] = {}
    by_unit: dict[int, dict[str, int]] = {}
    for owner_id, priority_id, status, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        for table, key in ((by_priority, priority_id), (by_unit, owner_id)):
            line = table.setdefault(key, {"total": 0, **zero})
            line["total"] += n
            line[status] = line.get(status, 0) + n
    units = {
        u.pk: u
        for u in Directorate.objects.filter(pk__in=list(by_unit)).only(
            "id", "code", "path", "name_fr", "name_ar", "name_en"
        )
    }
    priorities: dict[int | None, Priority] = {
        p.pk: p for p in Priority.objects.filter(pk__in=[k for k in by_priority if k])
    }
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_priority": sorted(
            ({"priority": priorities.get(k), **v} for k, v in by_priority.items()),
            key=lambda r: (r["priority"] is None, r["priority"].code if r["priority"] else ""),
        ),
        "by_unit": sorted(({"unit": units[k], **v} for k, v in by_unit.items()), key=lambda r: r["unit"].path),
        "late_count": by_status.get(ObjectiveStatus.LATE, 0),
    }


# ---------------------------------------------------------------- reminder hook

MilestoneReminder = namedtuple("MilestoneReminder", "milestone objective unit due_date days latest_value heads")


def _not_reached(qs: QuerySet[Milestone], on_date: datetime.date) -> QuerySet[Milestone]:
    """The milestones of ``qs`` in approved roadmaps (not a redraft's copies) not reached on ``on_date``,
    decided in the database."""
    # ``status`` comes from milestone_annotations (**kwargs): the stubs' plugin cannot resolve it.
    return (
        qs.filter(  # type: ignore[misc]
            objective__state=Objective.State.ACTIVE,
            objective__roadmap__approved_version__isnull=False,
            objective__is_draft=False,
        )
        .annotate(**milestone_annotations(on_date))
        .exclude(status=ObjectiveStatus.DONE)
    )


def _reminder_candidates(qs: QuerySet[Milestone], on_date: datetime.date) -> list[MilestoneReminder]:
    """Milestones not reached on ``on_date`` (decided in the database), with their unit's heads."""
    qs = (
        _not_reached(qs, on_date)
        .select_related("objective__owner")
        .only(
            "id",
            "title",
            "due_date",
            "target_value",
            "objective__id",
            "objective__title",
            "objective__owner__id",
            "objective__owner__code",
            "objective__owner__name_fr",
            "objective__owner__name_ar",
            "objective__owner__name_en",
        )
        .order_by("due_date", "id")
    )
    milestones = list(qs)
    heads: defaultdict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        role=Membership.Role.HEAD, directorate__in={m.objective.owner_id for m in milestones}
    ).select_related("user"):
        heads[membership.directorate_id].append(membership.user)
    out: list[MilestoneReminder] = []
    for m in milestones:
        o = m.objective
        out.append(
            MilestoneReminder(m, o, o.owner, m.due_date, (m.due_date - on_date).days, m.latest_value, heads[o.owner_id])  # type: ignore[attr-defined]
        )
    return out


def milestones_due(on_date: datetime.date, within_days: int = 14) -> list[MilestoneReminder]:
    """Milestones of approved roadmaps due between ``on_date`` and ``on_date + within_days``, not yet reached.

    The hook for a "milestone due soon" reminder kind: each item carries the milestone, its objective,
    the owner unit, the due date, the days left, the latest value and the unit's heads (recipients).
    Two queries whatever the number of milestones.
    """
    end = on_date + datetime.timedelta(days=within_days)
    return _reminder_candidates(Milestone.objects.filter(due_date__gte=on_date, due_date__lte=end), on_date)


def milestones_overdue(on_date: datetime.date) -> list[MilestoneReminder]:
    """Milestones of approved roadmaps whose due date is before ``on_date`` and not reached (days < 0)."""
    return _reminder_candidates(Milestone.objects.filter(due_date__lt=on_date), on_date)


OverdueUnit = namedtuple("OverdueUnit", "unit heads milestones")


def milestones_overdue_by_unit(on_date: datetime.date) -> list[OverdueUnit]:
    """The milestones of ``milestones_overdue(on_date)`` grouped by owner unit, as plain rows for a weekly
    digest: a list of ``OverdueUnit(unit, heads, milestones)`` where each milestone is a dict with
    ``title``, ``objective_id``, ``objective``, ``due_date`` and ``days_late``, the oldest due date first.
    Three queries (milestones, units, heads); no model instance per milestone (12,946 at national scale)."""
    rows = (
        _not_reached(Milestone.objects.filter(due_date__lt=on_date), on_date)
        .order_by("due_date", "id")
        .values_list("objective__owner_id", "title", "objective_id", "objective__title", "due_date")
    )
    by_unit: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for owner_id, title, objective_id, objective_title, due_date in rows:
        by_unit[owner_id].append(
            {
                "title": title,
                "objective_id": objective_id,
                "objective": objective_title,
                "due_date": due_date,
                "days_late": (on_date - due_date).days,
            }
        )
    if not by_unit:
        return []
    units = Directorate.objects.in_bulk(list(by_unit))
    heads: defaultdict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        role=Membership.Role.HEAD, directorate__in=list(by_unit)
    ).select_related("user"):
        heads[membership.directorate_id].append(membership.user)
    return [OverdueUnit(units[unit_id], heads[unit_id], milestones) for unit_id, milestones in by_unit.items()]


# ---------------------------------------------------------------- meeting and priorities


def meeting_for_year(year: int) -> Meeting | None:
    return (
        Meeting.objects.filter(cycle__year=year)
        .select_related("cycle")
        .prefetch_related(
            Prefetch("agenda", queryset=AgendaItem.objects.select_related("directorate", "report")),
            Prefetch("attendance", queryset=Attendance.objects.select_related("directorate", "person")),
        )
        .first()
    )


def cycle_for_year(year: int) -> ReviewCycle | None:
    return ReviewCycle.objects.filter(year=year).first()


def _briefing_reports(cycle: ReviewCycle) -> QuerySet[Report]:
    return (
        Report.objects.filter(cycle=cycle)
        .select_related("directorate", "cycle")
        .with_completeness()
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("deliverable")),
            "achievements",
            "constraints",
            # What the DG's office flagged during the review, with the threads: the meeting discusses them.
            Prefetch(
                "review_items",
                queryset=ReviewItem.objects.select_related("flagged_by").prefetch_related(
                    Prefetch("comments", queryset=ReviewItemComment.objects.select_related("author"))
                ),
            ),
        )
    )


def briefing_pack(*, cycle: ReviewCycle, code: str) -> dict[str, Any] | None:
    """A unit's briefing for the meeting: its report's outcomes, achievements, constraints, key figures and the
    items the DG's office flagged during the review."""
    report = _briefing_reports(cycle).filter(directorate__code=code).first()
    if report is None:
        return None
    return _pack(report)


def briefing_packs(*, cycle: ReviewCycle) -> list[dict[str, Any]]:
    """Every pack of the meeting's agenda, in agenda order (to print them all at once): a fixed number of
    queries whatever the number of units."""
    order = list(
        AgendaItem.objects.filter(meeting__cycle=cycle).order_by("position", "pk").values_list("report_id", flat=True)
    )
    reports = {r.pk: r for r in _briefing_reports(cycle).filter(pk__in=order)}
    return [_pack(reports[pk]) for pk in order if pk in reports]


def _pack(report: Report) -> dict[str, Any]:
    outcomes = list(report.outcomes.all())
    counts = Counter(o.status or "" for o in outcomes)
    figures = [
        {"key": "deliverables", "value": len(outcomes)},
        {"key": "done", "value": counts.get(Outcome.Status.DONE, 0)},
        {"key": "partial", "value": counts.get(Outcome.Status.PARTIAL, 0)},
        {"key": "not_done", "value": counts.get(Outcome.Status.NOT_DONE, 0)},
        {"key": "dropped", "value": counts.get(Outcome.Status.DROPPED, 0)},
        {"key": "completeness", "value": report.completeness},
        {"key": "achievements", "value": len(report.achievements.all())},
        {"key": "constraints_needing_action", "value": sum(1 for c in report.constraints.all() if c.needs_action)},
    ]
    return {"report": report, "outcomes": outcomes, "figures": figures}


def priority_list(*, year: int | None = None, cycle: ReviewCycle | None = None) -> QuerySet[Priority]:
    qs = (
        Priority.objects.select_related("cycle")
        .prefetch_related("owners")
        .annotate(owner_count=Count("owners", distinct=True))
    )
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    elif year:
        qs = qs.filter(cycle__year=year)
    return qs


def versions(roadmap: Roadmap) -> list[RoadmapVersion]:
    # Without the frozen snapshots: at national scale each is megabytes of JSON the list never shows.
    return list(roadmap.versions.select_related("proposed_by", "approved_by").defer("snapshot").order_by("number"))


def current_version_trail(roadmap: Roadmap | None, events: Iterable[RoadmapEvent]) -> dict[str, Any] | None:
    """Who proposed the version being worked on (not yet approved) and when, or who sent it back.

    ``events`` are the roadmap's events in order (already loaded for the page: no query).
    Returns None when the current version is the approved one.
    """
    if roadmap is None or roadmap.state == RoadmapState.APPROVED:
        return None
    proposed: RoadmapEvent | None = None
    returned: RoadmapEvent | None = None
    for event in events:
        if event.version != roadmap.version:
            continue
        if event.new_state == RoadmapState.PROPOSED:
            proposed, returned = event, None
        elif event.old_state == RoadmapState.PROPOSED and event.new_state == RoadmapState.DRAFT:
            proposed, returned = None, event
    return {"number": roadmap.version, "state": roadmap.state, "proposed": proposed, "returned": returned}


def bilan_objectives(year: int) -> list[dict[str, Any]]:
    """The approved roadmap of ``year`` as the bilan lists it (hook read by figures.bilan).

    Taken from the last approved, frozen version, so a draft being reworked never leaks into a bilan.
    """
    version = RoadmapVersion.objects.filter(roadmap__year=year).order_by("-number").only("snapshot").first()
    if version is None:
        return []
    return [
        {"title": o["title"], "unit": o["owner"], "domain": o.get("category", "")}
        for o in version.snapshot["objectives"]
        if o.get("state") == "active"
    ]


def bilan_objective_counts(year: int) -> list[dict[str, Any]]:
    """The approved roadmap of ``year`` counted by unit and category (hook read by figures.bilan): a list of
    ``{"unit": code, "domain": category, "count": n}``, from the same last approved version as
    ``bilan_objectives`` but counted by the database inside the frozen JSON, never decoded here (the
    national version is megabytes). One query."""
    version = RoadmapVersion.objects.filter(roadmap__year=year).order_by("-number").values("pk")[:1]
    sql, params = version.query.sql_with_params()
    table = RoadmapVersion._meta.db_table
    # The table name is the model's and the subquery the ORM's; every value is a parameter.
    if connection.vendor == "postgresql":
        query = (
            f"SELECT o->>'owner', COALESCE(o->>'category', ''), COUNT(*) FROM {table} v "  # nosec B608
            f"CROSS JOIN LATERAL jsonb_array_elements(v.snapshot->'objectives') o "
            f"WHERE v.id = ({sql}) AND o->>'state' = 'active' GROUP BY 1, 2"
        )
    else:  # SQLite's JSON1, built into Python's sqlite3
        query = (
            f"SELECT json_extract(o.value, '$.owner'), COALESCE(json_extract(o.value, '$.category'), ''), "  # nosec B608
            f"COUNT(*) FROM {table} v, json_each(v.snapshot, '$.objectives') o "
            f"WHERE v.id = ({sql}) AND json_extract(o.value, '$.state') = 'active' GROUP BY 1, 2"
        )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [{"unit": unit, "domain": domain, "count": count} for unit, domain, count in cursor.fetchall()]


def compstat_unit(*, user: User, cycle: ReviewCycle, code: str) -> dict[str, Any] | None:
    """One unit's screen at the meeting, in agenda order: its place among the agenda's units (previous,
    next), its report with extensions and returns, and the objectives it carries this year with their
    status. A fixed handful of queries; the figures come from the figures app's template tags."""
    agenda = list(
        AgendaItem.objects.filter(meeting__cycle=cycle).select_related("directorate").order_by("position", "id")
    )
    codes = [item.directorate.code for item in agenda]
    if code not in codes:
        return None
    index = codes.index(code)
    item = agenda[index]
    report = (
        Report.objects.filter(pk=item.report_id)
        .select_related("cycle", "directorate")
        .with_completeness()
        .prefetch_related(
            # each return with the items it flagged (item-level review)
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor").prefetch_related("review_items")),
            Prefetch("extensions", queryset=DeadlineExtension.objects.select_related("granted_by")),
        )
        .first()
    )
    # The objectives the unit carried this year; without any (the first year of the roadmap), those the
    # meeting is setting for next year.
    objectives_year = cycle.year
    objectives = objective_list(user=user, year=cycle.year, owner=code)
    if not objectives:
        objectives_year = cycle.year + 1
        objectives = objective_list(user=user, year=objectives_year, owner=code)
    return {
        "objectives_year": objectives_year,
        "item": item,
        "position": index + 1,
        "total": len(agenda),
        "previous": agenda[index - 1].directorate if index > 0 else None,
        "next": agenda[index + 1].directorate if index + 1 < len(agenda) else None,
        "report": report,
        "returns": [e for e in report.events.all() if e.new_state == "returned"],
        "objectives": objectives,
        "objective_totals": tracking_summary(objectives)["by_status"],
    }


def compstat_first(*, cycle: ReviewCycle) -> str | None:
    item = (
        AgendaItem.objects.filter(meeting__cycle=cycle).select_related("directorate").order_by("position", "id").first()
    )
    return item.directorate.code if item else None
