"""Reads of cycles and reports, shaped for pages and the API, scoped to what the user may see."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from directorates.models import Deliverable, Directorate, User
from directorates.permissions import visible_directorates_q
from reviews.models import (
    Attachment,
    DeadlineExtension,
    Outcome,
    Report,
    ReportEvent,
    ReviewCycle,
    ReviewItem,
    ReviewItemComment,
)


def cycle_list() -> QuerySet[ReviewCycle]:
    return ReviewCycle.objects.all()


def current_cycle() -> ReviewCycle | None:
    return ReviewCycle.objects.filter(state=ReviewCycle.State.OPEN).order_by("-year").first() or (
        ReviewCycle.objects.order_by("-year").first()
    )


def report_list(*, user: User) -> QuerySet[Report]:
    """Reports the user may see; the list's filters are declared in reviews.filters.ReportFilter."""
    return (
        Report.objects.filter(visible_directorates_q(user, "directorate__"))
        .select_related("cycle", "directorate", "directorate__parent")
        .with_completeness()
    )


def units_without_report(*, user: User, cycle: ReviewCycle) -> QuerySet[Directorate]:
    """The units where ``user`` has a role and that have no report for ``cycle`` yet (few: a person's own)."""
    return (
        Directorate.objects.filter(memberships__user=user, is_active=True)
        .exclude(reports__cycle=cycle)
        .distinct()
        .order_by("path")
    )


def report_detail_queryset(*, user: User) -> QuerySet[Report]:
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
            Prefetch(
                "review_items",
                queryset=ReviewItem.objects.select_related("flagged_by").prefetch_related(
                    Prefetch("comments", queryset=ReviewItemComment.objects.select_related("author"))
                ),
            ),
        )
    )


def review_items_by_kind(report: Report, *, latest_only: bool = False) -> dict[str, dict[int, ReviewItem]]:
    """The report's flagged items as {kind: {item id: ReviewItem}}, from its prefetched ``review_items``.

    Open flags (a returned report) or, with ``latest_only``, the flags of the latest return (what a
    resubmitted report was asked to change): the page shows each next to its item. Reads the prefetched
    ``review_items`` and ``events`` (reviews.selectors.report_detail_queryset): no query.
    """
    items = list(report.review_items.all())
    if not items:
        return {}
    if report.state == Report.State.RETURNED:
        items = [item for item in items if not item.resolved]
    elif latest_only:
        # The latest return's flags only: a later return without flags has none to show.
        last = max(
            (e.pk for e in report.events.all() if e.new_state == Report.State.RETURNED and not e.marks_ready),
            default=None,
        )
        items = [item for item in items if item.return_event_id == last]
    by_kind: dict[str, dict[int, ReviewItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, {})[item.item_id] = item
    return by_kind


def attachment_for_user(*, user: User, pk: int) -> Attachment | None:
    return (
        Attachment.objects.filter(visible_directorates_q(user, "outcome__report__directorate__"), pk=pk)
        .select_related("outcome__report__directorate")
        .first()
    )


def dashboard_units(*, kind: str | None = None, region: Directorate | None = None) -> QuerySet[Directorate]:
    """The active units the cycle dashboard lists, in tree order (a lazy queryset: paginate it)."""
    units = Directorate.objects.filter(is_active=True).select_related("parent").order_by("path")
    if kind:
        units = units.filter(kind=kind)
    if region:
        units = units.filter(path__startswith=region.path)
    return units


def cycle_dashboard(*, cycle: ReviewCycle, units: Iterable[Directorate]) -> list[dict[str, Any]]:
    """One row per unit of ``units`` (a page): its report for the cycle (or none), late flag and completeness.

    Two queries whatever the number of units: reports, deliverable counts.
    """
    units = list(units)
    ids = [u.pk for u in units]
    reports = {
        r.directorate_id: r
        for r in Report.objects.filter(cycle=cycle, directorate__in=ids)
        .select_related("cycle")
        .annotate(filled_count=Count("outcomes", filter=~Q(outcomes__status="")))
    }
    counts = dict(
        Deliverable.objects.filter(year=cycle.year, directorate__in=ids)
        .values("directorate")
        .annotate(n=Count("pk"))
        .values_list("directorate", "n")
    )
    past_deadline = cycle.is_past_deadline()
    rows: list[dict[str, Any]] = []
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
        rows.append(
            {
                "unit": unit,
                "report": report,
                "late": late,
                "completeness": completeness,
                "deliverables": total,
                "extended": bool(report and report.extended_until),
            }
        )
    return rows


def dashboard_totals(*, cycle: ReviewCycle, units: QuerySet[Directorate]) -> dict[str, int]:
    """Counts over every unit of ``units`` (not only the page shown): by report state, late, extended.

    Lateness follows ``Report.is_late``: a report first submitted late, or one never submitted whose own
    deadline (the cycle's, or its extension) is past, or, past the cycle's deadline, a unit that has not
    started. Three queries.
    """
    today = timezone.localdate()
    reports = Report.objects.filter(cycle=cycle, directorate__in=units.values("pk"))
    totals = {"units": units.count(), "missing": 0}
    started = 0
    for row in reports.values("state").annotate(n=Count("pk")).order_by():
        totals[row["state"]] = row["n"]
        started += row["n"]
    totals["missing"] = totals["units"] - started
    past = cycle.is_past_deadline(today)
    own_deadline_past = Q(extended_until__lt=today)
    if past:
        own_deadline_past |= Q(extended_until__isnull=True)
    never_submitted_late = Q(first_submitted_at__isnull=True) & own_deadline_past
    counts = reports.aggregate(
        late=Count("pk", filter=Q(first_submitted_at__isnull=False, submitted_late=True) | never_submitted_late),
        extended=Count("pk", filter=Q(extended_until__isnull=False)),
    )
    totals["late"] = counts["late"] + (totals["missing"] if past else 0)
    totals["extended"] = counts["extended"]
    return totals
