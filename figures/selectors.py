"""Reads of figures shaped for pages and the API, scoped to what the user may see."""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, ExpressionWrapper, F, FilteredRelation, Q, QuerySet
from django.db.models.functions import Abs

from directorates.models import Directorate, User
from directorates.permissions import visible_directorates_q
from figures.bilan import catalogue, scope_values, unit_values
from figures.models import DOMAIN_ORDER, Bilan, Domain, Figure, Indicator
from reviews.models import Report


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.active().select_related("numerator", "denominator")


def figure_list(*, user: User) -> QuerySet[Figure]:
    """Figures of the units ``user`` may see (own unit, a head's subtree, the DG's office everything).

    The list's filters are declared in figures.filters.FigureFilter."""
    return Figure.objects.filter(visible_directorates_q(user, "directorate__")).select_related(
        "directorate", "indicator", "entered_by"
    )


def year_over_year_change(value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change from ``previous`` to ``value`` in percent (a Decimal), None when there is nothing to compare."""
    if previous is None or value is None:
        return None
    if previous == 0:
        return None if value == 0 else Decimal("Infinity") * (1 if value > 0 else -1)
    return (value - previous) * 100 / abs(previous)


def is_past_threshold(indicator: Indicator, change: Decimal | None) -> bool:
    threshold = indicator.change_threshold
    return threshold is not None and change is not None and abs(change) > threshold


def changes_past_threshold(*, directorate_ids: Iterable[int] | None, year: int) -> list[dict[str, Any]]:
    """The figures of ``year`` of these units (None: every unit) whose change from the year before passes their
    indicator's threshold, justified or not: dicts with ``figure``, ``previous`` (value) and ``change`` (percent).

    One query whatever the number of units and figures.
    """
    figures = Figure.objects.filter(year__in=[year, year - 1], indicator__change_threshold__isnull=False)
    if directorate_ids is not None:
        figures = figures.filter(directorate__in=directorate_ids)
    figures = figures.select_related("indicator", "directorate").order_by(
        "directorate__path", "indicator__position", "indicator__code", "year"
    )
    previous: dict[tuple[int, int], Decimal] = {}
    rows: list[dict[str, Any]] = []
    for figure in figures:
        if figure.year == year - 1:
            previous[(figure.directorate_id, figure.indicator_id)] = figure.value
            continue
        before = previous.get((figure.directorate_id, figure.indicator_id))
        change = year_over_year_change(figure.value, before)
        if is_past_threshold(figure.indicator, change):
            rows.append({"figure": figure, "previous": before, "change": change})
    return rows


def changes_past_threshold_query(*, year: int, directorate_ids: Iterable[int] | None = None) -> QuerySet[Figure]:
    """The same changes as ``changes_past_threshold``, decided by the database: the figures of ``year`` with
    ``previous`` (last year's value of the same unit and indicator) annotated, kept when the change passes
    the indicator's threshold — |value − previous| × 100 > threshold × |previous|, or any change from
    zero ("new", an infinite rise) — ordered by unit and indicator. A queryset: count it, group it, page it."""
    # Last year's figure joined once (a correlated subquery would be repeated at each use in the SQL).
    last_year = FilteredRelation(
        "directorate__figures",
        condition=Q(directorate__figures__year=year - 1, directorate__figures__indicator=F("indicator")),
    )
    decimal: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=4)
    figures = Figure.objects.filter(year=year, indicator__change_threshold__isnull=False)
    if directorate_ids is not None:
        figures = figures.filter(directorate__in=directorate_ids)
    return (
        figures.annotate(last_year=last_year, previous=F("last_year__value"))
        .alias(
            gap=ExpressionWrapper(Abs(F("value") - F("previous")) * 100, output_field=decimal),
            allowed=ExpressionWrapper(F("indicator__change_threshold") * Abs(F("previous")), output_field=decimal),
        )
        .filter(previous__isnull=False)
        .filter(Q(previous=0, value__gt=0) | Q(previous=0, value__lt=0) | (~Q(previous=0) & Q(gap__gt=F("allowed"))))
        .order_by("directorate__path", "indicator__position", "indicator__code")
    )


def national_change_notes(*, year: int, page: int | str | None = None, per_page: int = 50) -> dict[str, Any]:
    """The bilan's notes at national scale: every unit's changes past their threshold counted by domain
    (changes, justified), and one page of them with the units' justifications. Three queries whatever the
    number of units and figures: the counts, the page's count, the page."""
    changes = changes_past_threshold_query(year=year)
    counts = {
        row["indicator__domain"]: row
        for row in changes.order_by()
        .values("indicator__domain")
        .annotate(changes=Count("pk"), justified=Count("pk", filter=~Q(justification="")))
    }
    domains = [
        {
            "domain": domain,
            "label": Domain(domain).label,
            "changes": counts[domain]["changes"],
            "justified": counts[domain]["justified"],
            "unjustified": counts[domain]["changes"] - counts[domain]["justified"],
        }
        for domain in sorted(counts, key=lambda d: DOMAIN_ORDER.get(d, 999))
    ]
    rows = changes.select_related("indicator", "directorate")
    shown = Paginator(rows, per_page).get_page(page)
    shown.object_list = list(shown.object_list)
    # ``previous`` is annotated by the query, ``change`` set here for the page: attributes the stubs do not know.
    for figure in shown.object_list:
        figure.change = year_over_year_change(figure.value, figure.previous)  # type: ignore[attr-defined]
    return {
        "domains": domains,
        "total": sum(d["changes"] for d in domains),
        "unjustified": sum(d["unjustified"] for d in domains),
        "page": shown,
        "rows": [{"figure": f, "previous": f.previous, "change": f.change} for f in shown.object_list],  # type: ignore[attr-defined]
    }


def unit_series(*, directorate_id: int, years: Sequence[int]) -> list[dict[str, Any]]:
    """Each indicator a unit has figures for within ``years``: its values by year (None where missing),
    the change of the last year from the one before and whether it passes the threshold. One query."""
    rows: dict[int, dict[str, Any]] = {}
    figures = (
        Figure.objects.filter(directorate_id=directorate_id, year__in=years)
        .select_related("indicator")
        .order_by("indicator__position", "indicator__code", "year")
    )
    for figure in figures:
        row = rows.setdefault(figure.indicator_id, {"indicator": figure.indicator, "values": dict.fromkeys(years)})
        row["values"][figure.year] = figure.value
    for row in rows.values():
        last, before = row["values"][years[-1]], row["values"].get(years[-1] - 1)
        row["series"] = [row["values"][year] for year in years]
        row["change"] = year_over_year_change(last, before)
        row["past_threshold"] = is_past_threshold(row["indicator"], row["change"])
    return list(rows.values())


def figure_history(*, figure: Figure) -> QuerySet[Any]:
    return figure.history.select_related("history_user").order_by("-history_date", "-history_id")


def entry_rows(*, directorate: Directorate, year: int) -> list[dict[str, Any]]:
    """The indicators a unit enters for a year, each with its figure (or None), last year's figure, the
    change in percent and whether it passes the indicator's threshold (then it must be justified).

    Two queries: the catalogue, and this year's and last year's figures of the unit.
    """
    indicators = [
        i for i in Indicator.objects.active().enterable().order_by("position", "code") if i.applies_to(directorate)
    ]
    figures = {
        (f.indicator_id, f.year): f
        for f in Figure.objects.filter(directorate=directorate, year__in=[year, year - 1]).select_related("entered_by")
    }
    rows: list[dict[str, Any]] = []
    for indicator in indicators:
        figure, previous = figures.get((indicator.pk, year)), figures.get((indicator.pk, year - 1))
        change = year_over_year_change(figure.value if figure else None, previous.value if previous else None)
        rows.append(
            {
                "indicator": indicator,
                "figure": figure,
                "previous": previous,
                "change": change,
                "past_threshold": is_past_threshold(indicator, change),
            }
        )
    return rows


def unit_report(*, directorate: Directorate, year: int) -> Report | None:
    return Report.objects.filter(directorate=directorate, cycle__year=year).select_related("cycle").first()


def bilan_list() -> QuerySet[Bilan]:
    return Bilan.objects.select_related("approved_by", "published_by")


def bilan_years() -> list[int]:
    """Years that have figures or a bilan, newest first."""
    years = set(Figure.objects.order_by().values_list("year", flat=True).distinct())
    years |= set(Bilan.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)


# ---------------------------------------------------------------- dashboards


def indicator_series(
    *, user: User, indicator: Indicator, years: Sequence[int], max_units: int | None = None
) -> dict[str, Any]:
    """National series of one indicator over ``years``, and the series of each unit the user may see.

    Constant queries: the catalogue, the national aggregate, the visible units, their figures.
    """
    indicators = catalogue()
    national, _notes = scope_values(indicators, years, None)
    units = list(Directorate.objects.filter(visible_directorates_q(user)).filter(is_active=True))
    per_unit = unit_values(indicators if indicator.is_derived else [indicator], years, units)
    rows: list[dict[str, Any]] = []
    for unit in units:
        if user.sees_everything and unit.parent_id is None:
            continue  # the root's subtree total is the national series, shown once
        series = [per_unit.get((unit.pk, indicator.pk, year)) for year in years]
        if any(value is not None for value in series):
            rows.append({"unit": unit, "series": series})
    if max_units:
        rows = rows[:max_units]
    return {
        "national": [national.get((indicator.pk, year)) for year in years] if user.sees_everything else None,
        "units": rows,
    }


MIN_PEERS_FOR_MEDIAN = 3


def peer_comparison(*, user: User, directorate: Directorate, year: int) -> list[dict[str, Any]]:
    """The unit's figures of ``year`` against its peers (active units of the same kind).

    The DG's office sees every peer by name with the median, lowest and highest values. Anyone else
    may not read other units' figures: they see only the peers' median, and only when there are at
    least ``MIN_PEERS_FOR_MEDIAN`` peers with a figure, so that no single unit's value shows through.
    """
    indicators = catalogue()
    peers = list(Directorate.objects.filter(kind=directorate.kind, is_active=True))
    values = unit_values(indicators, [year], peers)
    named = user.sees_everything
    rows: list[dict[str, Any]] = []
    for indicator in indicators:
        if indicator.national_only:
            continue
        own = values.get((directorate.pk, indicator.pk, year))
        others = sorted(
            v for p in peers if p.pk != directorate.pk and (v := values.get((p.pk, indicator.pk, year))) is not None
        )
        if own is None and not others:
            continue
        median = None
        if others:
            middle = len(others) // 2
            median = others[middle] if len(others) % 2 else (others[middle - 1] + others[middle]) / 2
        if not named and len(others) < MIN_PEERS_FOR_MEDIAN:
            median = None
        rows.append(
            {
                "indicator": indicator,
                "own": own,
                "median": median,
                "low": others[0] if others and named else None,
                "high": others[-1] if others and named else None,
                "count": len(others),
                "peers": [(p, values.get((p.pk, indicator.pk, year))) for p in peers] if named else None,
            }
        )
    return rows
