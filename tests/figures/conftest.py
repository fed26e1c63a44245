"""Fixtures of the figures tests: a national root above the shared cast's units, and a small catalogue."""

from decimal import Decimal

import pytest

from directorates.models import Directorate
from figures.models import Indicator, Rollup
from tests.factories import DirectorateFactory


@pytest.fixture
def dgsn(region, unit_a, unit_b):
    """DGSN at the root: DGSN/WS-R/SP-A/ and DGSN/WS-B/ (the shared cast has no root)."""
    root = DirectorateFactory(code="DGSN", kind=Directorate.Kind.CENTRAL_DIRECTORATE)
    for unit in (region, unit_b):
        unit.parent = root
        unit.save()
    unit_a.refresh_from_db()
    region.refresh_from_db()
    unit_b.refresh_from_db()
    return root


def make_indicator(code, **kwargs):
    defaults = {
        "name_fr": f"{code} fr",
        "name_ar": f"{code} ar",
        "name_en": f"{code} en",
        "domain": "crime",
        "unit": "count",
    }
    defaults.update(kwargs)
    return Indicator.objects.create(code=code, **defaults)


@pytest.fixture
def catalogue(db):
    handled = make_indicator("cases_handled", position=10)
    solved = make_indicator("cases_solved", position=20, higher_is_better=True)
    return {
        "cases_handled": handled,
        "cases_solved": solved,
        "solved_rate": make_indicator(
            "solved_rate",
            unit="percent",
            numerator=solved,
            denominator=handled,
            multiplier=Decimal(100),
            position=30,
            higher_is_better=True,
        ),
        "road_accidents": make_indicator("road_accidents", domain="road_safety", higher_is_better=False),
        "cocaine_seized": make_indicator("cocaine_seized", domain="drugs", unit="kg"),
        "share_women": make_indicator(
            "share_women", domain="human_resources", unit="percent", national_only=True, rollup=Rollup.NONE
        ),
        "staff": make_indicator("staff", domain="human_resources", national_only=True, rollup=Rollup.NONE),
    }


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the source language; French is the site default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
