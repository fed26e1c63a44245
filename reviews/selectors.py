"""Reads of cycles and reports, shaped for pages and the API, scoped to what the user may see."""

from django.db.models import Count, Prefetch, Q

from directorates.models import Deliverable, Directorate
from directorates.permissions import visible_directorates_q
from reviews.models import Attachment, DeadlineExtension, Outcome, Report, ReportEvent, ReviewCycle


def cycle_list():
    return ReviewCycle.objects.all()


def current_cycle():
    return ReviewCycle.objects.filter(state=ReviewCycle.State.OPEN).order_by("-year").first() or (
        ReviewCycle.objects.order_by("-year").first()
    )


def report_list(*, user):
    """Reports the user may see; the list's filters are declared in reviews.filters.ReportFilter."""
    return (
        Report.objects.filter(visible_directorates_q(user, "directorate__"))
        .select_related("cycle", "directorate", "directorate__parent")
        .with_completeness()
    )


def report_detail_queryset(*, user):
    """Reports with every part prefetched: a detail page or API read is a fixed handful of queries."""
    return (
        Report.objects.filter(visible_directorates_q(user, "directorate__"))
        .select_related("cycle", "directorate")
        .with_completeness()
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.select_related("deliverable").prefetch_related(
                    Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by"))
                ),
            ),
            "achievements",
            "constraints",
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
            Prefetch("extensions", queryset=DeadlineExtension.objects.select_related("granted_by")),
        )
    )


def attachment_for_user(*, user, pk):
    return (
        Attachment.objects.filter(visible_directorates_q(user, "outcome__report__directorate__"), pk=pk)
        .select_related("outcome__report__directorate")
        .first()
    )


def cycle_dashboard(*, cycle, kind=None, region=None):
    """One row per active unit: its report for the cycle (or none), late flag and completeness.

    Three queries whatever the number of units: units, reports, deliverable counts.
    """
    units = Directorate.objects.filter(is_active=True).select_related("parent")
    if kind:
        units = units.filter(kind=kind)
    if region:
        units = units.filter(path__startswith=region.path)
    units = list(units)
    reports = {
        r.directorate_id: r
        for r in Report.objects.filter(cycle=cycle, directorate__in=[u.pk for u in units])
        .select_related("cycle")
        .annotate(filled_count=Count("outcomes", filter=~Q(outcomes__status="")))
    }
    counts = dict(
        Deliverable.objects.filter(year=cycle.year, directorate__in=[u.pk for u in units])
        .values("directorate")
        .annotate(n=Count("pk"))
        .values_list("directorate", "n")
    )
    past_deadline = cycle.is_past_deadline()
    rows = []
    for unit in units:
        report = reports.get(unit.pk)
        total = counts.get(unit.pk, 0)
        if report is not None:
            report.deliverable_count = total
            late = report.is_late()
            completeness = report.completeness
        else:
            late = past_deadline
            completeness = 0 if total else 100
        rows.append({"unit": unit, "report": report, "late": late, "completeness": completeness,
                     "deliverables": total, "extended": bool(report and report.extended_until)})
    return rows


def dashboard_totals(rows):
    totals = {"units": len(rows), "late": sum(1 for r in rows if r["late"]), "missing": 0,
              "extended": sum(1 for r in rows if r["extended"])}
    for row in rows:
        state = row["report"].state if row["report"] else "missing"
        totals[state] = totals.get(state, 0) + 1
    return totals
