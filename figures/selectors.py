"""Reads of figures shaped for pages and the API, scoped to what the user may see."""

from directorates.models import Directorate
from directorates.permissions import visible_directorates_q
from figures.bilan import catalogue, scope_values, unit_values
from figures.models import Bilan, Figure, Indicator
from reviews.models import Report


def indicator_list():
    return Indicator.objects.active().select_related("numerator", "denominator")


def figure_list(*, user):
    """Figures of the units ``user`` may see (own unit, a head's subtree, the DG's office everything).

    The list's filters are declared in figures.filters.FigureFilter."""
    return Figure.objects.filter(visible_directorates_q(user, "directorate__")).select_related(
        "directorate", "indicator", "entered_by"
    )


def figure_history(*, figure):
    return figure.history.select_related("history_user").order_by("-history_date", "-history_id")


def entry_rows(*, directorate, year):
    """The indicators a unit enters for a year, each with its figure (or None) and last year's value.

    Three queries: catalogue, this year's and last year's figures of the unit.
    """
    indicators = [i for i in Indicator.objects.active().enterable().order_by("position", "code")
                  if i.applies_to(directorate)]
    figures = {
        (f.indicator_id, f.year): f
        for f in Figure.objects.filter(directorate=directorate, year__in=[year, year - 1]).select_related(
            "entered_by")
    }
    return [
        {"indicator": i, "figure": figures.get((i.pk, year)), "previous": figures.get((i.pk, year - 1))}
        for i in indicators
    ]


def unit_report(*, directorate, year):
    return Report.objects.filter(directorate=directorate, cycle__year=year).select_related("cycle").first()


def bilan_list():
    return Bilan.objects.select_related("approved_by", "published_by")


def bilan_years():
    """Years that have figures or a bilan, newest first."""
    years = set(Figure.objects.order_by().values_list("year", flat=True).distinct())
    years |= set(Bilan.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)


# ---------------------------------------------------------------- dashboards


def indicator_series(*, user, indicator, years, max_units=None):
    """National series of one indicator over ``years``, and the series of each unit the user may see.

    Constant queries: the catalogue, the national aggregate, the visible units, their figures.
    """
    indicators = catalogue()
    national, _notes = scope_values(indicators, years, None)
    units = list(Directorate.objects.filter(visible_directorates_q(user)).filter(is_active=True))
    per_unit = unit_values(indicators if indicator.is_derived else [indicator], years, units)
    rows = []
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


def peer_comparison(*, user, directorate, year):
    """The unit's figures of ``year`` against its peers (active units of the same kind).

    The DG's office sees every peer by name with the median, lowest and highest values. Anyone else
    may not read other units' figures: they see only the peers' median, and only when there are at
    least ``MIN_PEERS_FOR_MEDIAN`` peers with a figure, so that no single unit's value shows through.
    """
    indicators = catalogue()
    peers = list(Directorate.objects.filter(kind=directorate.kind, is_active=True))
    values = unit_values(indicators, [year], peers)
    named = user.sees_everything
    rows = []
    for indicator in indicators:
        if indicator.national_only:
            continue
        own = values.get((directorate.pk, indicator.pk, year))
        others = sorted(v for p in peers if p.pk != directorate.pk
                        and (v := values.get((p.pk, indicator.pk, year))) is not None)
        if own is None and not others:
            continue
        median = None
        if others:
            middle = len(others) // 2
            median = others[middle] if len(others) % 2 else (others[middle - 1] + others[middle]) / 2
        if not named and len(others) < MIN_PEERS_FOR_MEDIAN:
            median = None
        rows.append({
            "indicator": indicator,
            "own": own,
            "median": median,
            "low": others[0] if others and named else None,
            "high": others[-1] if others and named else None,
            "count": len(others),
            "peers": [(p, values.get((p.pk, indicator.pk, year))) for p in peers] if named else None,
        })
    return rows
