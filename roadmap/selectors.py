"""Reads of the meeting, the priorities and the roadmap, shaped for pages and the API.

Scoped to what the user may see: the DG's office and the DG see everything; a unit's people see
their units' objectives (directorates.permissions) once the roadmap has been approved.
Statuses are computed in Python from prefetched milestones and progress: a fixed number of queries.
"""

import datetime
from collections import Counter, namedtuple

from django.db.models import Count, Prefetch
from django.utils import timezone

from directorates.models import Membership
from directorates.permissions import visible_directorates_q
from reviews.models import DeadlineExtension, Outcome, Report, ReportEvent, ReviewCycle
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
    RoadmapVersion,
)
from roadmap.status import latest_value, milestone_reached, objective_status


def roadmap_for_year(year):
    return Roadmap.objects.select_related("cycle").filter(year=year).first()


def roadmap_events(roadmap):
    return RoadmapEvent.objects.filter(roadmap=roadmap).select_related("actor")


def _milestones_prefetch():
    return Prefetch(
        "milestones",
        queryset=Milestone.objects.prefetch_related(
            Prefetch("progress", queryset=ProgressUpdate.objects.select_related("recorded_by"))
        ),
    )


def objective_queryset(*, user):
    """Objectives the user may read, with owner, priority, roadmap, milestones and progress loaded."""
    qs = Objective.objects.select_related("owner", "priority", "roadmap", "merged_into", "source_deliverable",
                                          "source_constraint").prefetch_related(_milestones_prefetch())
    if not (user.is_authenticated and user.sees_everything):
        qs = qs.filter(visible_directorates_q(user, "owner__"), roadmap__approved_version__isnull=False)
    return qs


def objective_list(*, user, year, owner=None, priority=None, status=None, source=None, state="active",
                   as_of=None):
    """The year's objectives with ``status`` computed on ``as_of`` (today by default). Returns a list."""
    as_of = as_of or timezone.localdate()
    qs = objective_queryset(user=user).filter(roadmap__year=year)
    if owner:
        qs = qs.filter(owner__code=owner)
    if priority:
        qs = qs.filter(priority__code=priority)
    if source:
        qs = qs.filter(source_kind=source)
    if state:
        qs = qs.filter(state=state)
    objectives = list(qs)
    for objective in objectives:
        objective.status = objective_status(objective, as_of)
    if status:
        objectives = [o for o in objectives if o.status == status]
    return objectives


def with_status(objective, as_of=None):
    objective.status = objective_status(objective, as_of or timezone.localdate())
    return objective


def tracking_summary(objectives):
    """Counts by status, by priority and by unit, and the late objectives, for the national view."""
    by_status = Counter(o.status for o in objectives)
    by_priority, by_unit = {}, {}
    for o in objectives:
        key = o.priority.code if o.priority else ""
        zero = dict.fromkeys(ObjectiveStatus.values, 0)
        row = by_priority.setdefault(key, {"priority": o.priority, "total": 0, **zero})
        row["total"] += 1
        row[o.status] += 1
        row = by_unit.setdefault(o.owner_id, {"unit": o.owner, "total": 0, **zero})
        row["total"] += 1
        row[o.status] += 1
    return {
        "total": len(objectives),
        "by_status": {s: by_status.get(s, 0) for s in ObjectiveStatus.values},
        "by_priority": sorted(by_priority.values(),
                              key=lambda r: (r["priority"] is None, r["priority"].code if r["priority"] else "")),
        "by_unit": sorted(by_unit.values(), key=lambda r: r["unit"].path),
        "late": [o for o in objectives if o.status == ObjectiveStatus.LATE],
    }


# ---------------------------------------------------------------- reminder hook

MilestoneReminder = namedtuple(
    "MilestoneReminder", "milestone objective unit due_date days latest_value heads"
)


def _reminder_candidates(qs, on_date):
    qs = (
        qs.filter(objective__state=Objective.State.ACTIVE, objective__roadmap__approved_version__isnull=False)
        .select_related("objective__owner", "objective__roadmap")
        .prefetch_related(
            "progress",
            Prefetch("objective__owner__memberships",
                     queryset=Membership.objects.filter(role=Membership.Role.HEAD).select_related("user"),
                     to_attr="heads"),
        )
        .order_by("due_date", "id")
    )
    out = []
    for m in qs:
        if milestone_reached(m, on_date):
            continue
        o = m.objective
        out.append(MilestoneReminder(m, o, o.owner, m.due_date, (m.due_date - on_date).days, latest_value(m, on_date),
                                     [h.user for h in o.owner.heads]))
    return out


def milestones_due(on_date, within_days=14):
    """Milestones of approved roadmaps due between ``on_date`` and ``on_date + within_days``, not yet reached.

    The hook for a "milestone due soon" reminder kind: each item carries the milestone, its objective,
    the owner unit, the due date, the days left, the latest value and the unit's heads (recipients).
    Three queries whatever the number of milestones.
    """
    end = on_date + datetime.timedelta(days=within_days)
    return _reminder_candidates(Milestone.objects.filter(due_date__gte=on_date, due_date__lte=end), on_date)


def milestones_overdue(on_date):
    """Milestones of approved roadmaps whose due date is before ``on_date`` and not reached (days < 0)."""
    return _reminder_candidates(Milestone.objects.filter(due_date__lt=on_date), on_date)


# ---------------------------------------------------------------- meeting and priorities


def meeting_for_year(year):
    return (
        Meeting.objects.filter(cycle__year=year)
        .select_related("cycle")
        .prefetch_related(
            Prefetch("agenda", queryset=AgendaItem.objects.select_related("directorate", "report")),
            Prefetch("attendance", queryset=Attendance.objects.select_related("directorate", "person")),
        )
        .first()
    )


def cycle_for_year(year):
    return ReviewCycle.objects.filter(year=year).first()


def briefing_pack(*, cycle, code):
    """A unit's briefing for the meeting: its report's outcomes, achievements, constraints and key figures."""
    report = (
        Report.objects.filter(cycle=cycle, directorate__code=code)
        .select_related("directorate", "cycle")
        .with_completeness()
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("deliverable")),
            "achievements",
            "constraints",
        )
        .first()
    )
    if report is None:
        return None
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


def priority_list(*, year=None, cycle=None):
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


def versions(roadmap):
    return list(roadmap.versions.select_related("approved_by").order_by("number"))


def bilan_objectives(year):
    """The approved roadmap of ``year`` as the bilan lists it (hook read by figures.bilan).

    Taken from the last approved, frozen version, so a draft being reworked never leaks into a bilan.
    """
    version = (
        RoadmapVersion.objects.filter(roadmap__year=year).order_by("-number").only("snapshot").first()
    )
    if version is None:
        return []
    return [
        {"title": o["title"], "unit": o["owner"], "domain": o.get("category", "")}
        for o in version.snapshot["objectives"]
        if o.get("state") == "active"
    ]


def compstat_unit(*, user, cycle, code):
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
        Report.objects.filter(pk=item.report_id).select_related("cycle", "directorate").with_completeness()
        .prefetch_related(
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
            Prefetch("extensions", queryset=DeadlineExtension.objects.select_related("granted_by")),
        ).first()
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


def compstat_first(*, cycle):
    item = AgendaItem.objects.filter(meeting__cycle=cycle).select_related("directorate").order_by(
        "position", "id").first()
    return item.directorate.code if item else None
