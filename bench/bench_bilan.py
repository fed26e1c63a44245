"""Bilan computation: time and SQL queries for 500 units × 60 indicators × 5 years (they must not grow with units)."""

import random
import time
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from directorates.models import Directorate, User
from figures.bilan import compute_bilan, unit_values
from figures.models import Figure, Indicator
from tests.factories import DirectorateFactory

YEARS = range(2018, 2023)
INDICATORS = 60


def _catalogue():
    indicators = [
        Indicator(code=f"ind_{n:02d}", name_fr=f"Indicateur {n}", name_ar=f"مؤشر {n}", name_en=f"Indicator {n}",
                  domain="crime", unit="count", position=n)
        for n in range(INDICATORS - 2)
    ]
    Indicator.objects.bulk_create(indicators)
    indicators = list(Indicator.objects.order_by("position"))
    for n, (numerator, denominator) in enumerate([(indicators[1], indicators[0]), (indicators[3], indicators[2])]):
        Indicator.objects.create(code=f"rate_{n}", name_fr="Taux", name_ar="نسبة", name_en="Rate", domain="crime",
                                 unit="percent", numerator=numerator, denominator=denominator, multiplier=100)
    return indicators


def _units(root, count, actor, indicators):
    """``count`` provincial units under 10 regions, with every figure for every year (bulk-created)."""
    regions = list(Directorate.objects.filter(parent=root)) or [
        DirectorateFactory(parent=root, kind=Directorate.Kind.SECURITY_PREFECTURE) for _ in range(10)]
    units = [DirectorateFactory(parent=regions[n % len(regions)]) for n in range(count)]
    rng = random.Random(count)
    Figure.objects.bulk_create(
        [Figure(directorate=unit, indicator=indicator, year=year, value=Decimal(rng.randint(0, 5000)),
                entered_by=actor)
         for unit in units for indicator in indicators for year in YEARS],
        batch_size=5000,
    )


def _measure(label, function):
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    print(f"   {label}: {len(context)} queries, {elapsed * 1000:.0f} ms")
    return result


def run():
    actor = User.objects.create(username="bench")
    root = DirectorateFactory(code="DGSN", kind=Directorate.Kind.CENTRAL_DIRECTORATE)
    indicators = _catalogue()
    for added in (50, 450):
        _units(root, added, actor, indicators)
        units = Directorate.objects.count()
        figures = Figure.objects.count()
        print(f"   -- {units} units, {Indicator.objects.count()} indicators, {len(YEARS)} years, {figures} figures")
        data = _measure("national bilan 2022", lambda: compute_bilan(2022))
        assert len(data.lines) == INDICATORS
        region = Directorate.objects.filter(parent=root).first()
        _measure("regional bilan 2022", lambda region=region: compute_bilan(2022, scope=region))
        catalogue = list(Indicator.objects.all())
        all_units = list(Directorate.objects.all())
        _measure("per-unit subtree totals, all units, one year (dashboards)",
                 lambda: unit_values(catalogue, [2022], all_units))
