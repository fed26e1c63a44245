"""The bilan's numbers: exact changes and rates, the zero and missing cases, roll-up over the tree."""

import io
from decimal import Decimal

import pytest

from directorates import demo as directorates_demo
from figures import demo as figures_demo
from figures import formatting
from figures.bilan import ChangeStatus, change_between, compute_bilan, ratio, roadmap_objectives, unit_values
from figures.models import Figure
from figures.services import figure_set_many
from reviews import demo as reviews_demo


def test_change_against_a_missing_previous_value_is_not_available():
    assert change_between(Decimal(5), None) == (None, None, ChangeStatus.NOT_AVAILABLE)


def test_change_against_zero_is_new_not_infinite():
    change, pct, status = change_between(Decimal(5), Decimal(0))
    assert (change, pct, status) == (Decimal(5), None, ChangeStatus.NEW)


def test_zero_against_zero_has_no_percentage():
    assert change_between(Decimal(0), Decimal(0)) == (Decimal(0), None, ChangeStatus.NOT_AVAILABLE)


def test_missing_value_is_missing():
    assert change_between(None, Decimal(3))[2] == ChangeStatus.MISSING


def test_ratio_with_zero_or_missing_denominator_is_none():
    assert ratio(Decimal(1), Decimal(0)) is None
    assert ratio(Decimal(1), None) is None
    assert ratio(None, Decimal(1)) is None


def test_arithmetic_is_exact_until_display():
    third = ratio(Decimal(1), Decimal(3), Decimal(100))
    assert str(third).startswith("33.33333333333333333333333333333333")  # far beyond float precision
    change, pct, _ = change_between(Decimal("0.1") + Decimal("0.2"), Decimal("0.3"))
    assert change == 0 and pct == 0


def test_display_rounds_and_labels_the_special_cases(settings):
    from django.utils import translation

    with translation.override("en"):
        assert formatting.format_number(Decimal("95.99644"), "percent") == "96.0"
        assert formatting.format_number(Decimal("851343"), "count") == "851,343"
        assert formatting.format_number(Decimal("132.167"), "kg") == "132.167"
    with translation.override("fr"):
        assert formatting.format_number(Decimal("851343"), "count") == "851\u202f343"


@pytest.fixture
def demo(db):
    out = io.StringIO()
    directorates_demo.load(out)
    reviews_demo.load(out)
    figures_demo.load(out)
    return out


def test_demo_bilan_2020_matches_the_published_report(demo):
    data = compute_bilan(2020)
    handled, solved, rate = data.line("cases_handled"), data.line("cases_solved"), data.line("solved_rate")
    assert (handled.value, solved.value) == (Decimal(851343), Decimal(817259))
    assert rate.derived and formatting.rounded(rate.value, 1) == Decimal("96.0")  # "nearly 96 percent"
    assert abs(rate.value - Decimal(817259) * 100 / Decimal(851343)) < Decimal("1e-25")  # no rounding
    accidents = data.line("road_accidents")
    assert (accidents.value, accidents.previous, accidents.change) == (Decimal(58785), Decimal(70915), Decimal(-12130))
    assert formatting.rounded(accidents.change_pct, 1) == Decimal("-17.1")
    assert accidents.assessment == "good"  # fewer accidents is better
    facebook = data.line("facebook_followers")
    assert (facebook.value, facebook.previous) == (Decimal(191903), Decimal(20010))
    assert formatting.rounded(facebook.change_pct, 1) == Decimal("859.0")
    twitter = data.line("twitter_followers")
    assert twitter.value == Decimal(225191) and twitter.previous is None  # only "+574 %" was published
    assert twitter.status == ChangeStatus.NOT_AVAILABLE and "574" in twitter.note
    assert data.line("hashish_seized").value == Decimal("217.323")
    assert data.line("cocaine_seized").value == Decimal("132.167")
    assert data.line("trainees_basic").value == Decimal(7822)
    assert data.line("medical_centre_consultations").value == Decimal(41346)
    assert data.line("dismissals").previous == Decimal(179)
    assert data.line("scientific_police_cases").change == Decimal(-567)
    assert "facebook_followers" in [line.code for line in data.highlights]


# Every pair "this year / 2019" that the published 2020 report (seeds/004) states, with the change it gives.
PUBLISHED_PAIRS = {
    "road_accidents": (58785, 70915, "-18"),  # "a decrease of more than 18 percent" (17.1 computed: see note)
    "traffic_violation_reports": (454399, 567714, "-20"),  # "a decrease of approximately 20 percent"
    "traffic_fines_collected": (1176954, 1456517, "-20"),  # "the same percentage"
    "scientific_police_cases": (9477, 10044, None),
    "facial_requests": (940, 1151, None),
    "controlled_deliveries": (4, 8, None),
    "rogatory_commissions": (116, 157, None),
    "dismissals": (102, 179, None),
    "staff_investigated": (1755, 1321, None),
    "inspections": (18, 55, None),
    "facebook_followers": (191903, 20010, None),
    "hashish_seized": (Decimal("217.323"), Decimal("180.323"), None),  # "+37 tons"
}


@pytest.mark.parametrize("code", sorted(PUBLISHED_PAIRS))
def test_demo_2020_bilan_has_every_published_pair(demo, code):
    value, previous, published_pct = PUBLISHED_PAIRS[code]
    line = compute_bilan(2020).line(code)
    assert (line.value, line.previous) == (Decimal(value), Decimal(previous))
    assert line.change == Decimal(value) - Decimal(previous)
    if published_pct is not None and code != "road_accidents":
        assert abs(formatting.rounded(line.change_pct, 0) - Decimal(published_pct)) <= 1


def test_demo_publishes_the_2020_bilan_frozen(demo):
    from figures.bilan import load_bilan

    bilan, data = load_bilan(2020)
    assert bilan.is_published and data.frozen
    assert data.line("cases_handled").value == Decimal(851343)
    assert data.sections["crime"]["ar"]


@pytest.fixture
def tree_figures(dgsn, region, unit_a, unit_b, catalogue, root):
    rows = [
        (unit_a, "cases_handled", 2022, 100),
        (unit_a, "cases_solved", 2022, 90),
        (region, "cases_handled", 2022, 50),
        (region, "cases_solved", 2022, 40),
        (unit_b, "cases_handled", 2022, 200),
        (unit_b, "cases_solved", 2022, 150),
        (unit_a, "cases_handled", 2021, 80),
        (unit_b, "cases_handled", 2021, 0),
        (dgsn, "staff", 2022, 74520),
        (dgsn, "staff", 2021, 73000),
    ]
    figure_set_many(
        actor=root,
        rows=[
            {"directorate": unit, "indicator": code, "year": year, "value": value} for unit, code, year, value in rows
        ],
    )


def test_national_total_is_the_sum_over_the_whole_tree(tree_figures):
    data = compute_bilan(2022)
    assert data.line("cases_handled").value == Decimal(350)
    assert data.line("cases_handled").previous == Decimal(80)
    assert data.line("cases_solved").value == Decimal(280)
    assert data.line("solved_rate").value == Decimal(80)  # 280 / 350, computed from the totals
    assert data.line("staff").value == Decimal(74520)


def test_regional_total_is_the_sum_over_the_region_subtree(tree_figures, region, unit_a, unit_b):
    data = compute_bilan(2022, scope=region)
    assert data.line("cases_handled").value == Decimal(150)  # the region's own 50 + SP-A's 100
    assert data.line("cases_solved").value == Decimal(130)
    assert data.line("staff") is None  # national-only indicators are not in a unit's bilan
    assert compute_bilan(2022, scope=unit_a).line("cases_handled").value == Decimal(100)
    b = compute_bilan(2022, scope=unit_b).line("cases_handled")
    assert (b.value, b.previous, b.status) == (Decimal(200), Decimal(0), ChangeStatus.NEW)


def test_unit_values_agree_with_the_scope_totals(tree_figures, catalogue, dgsn, region, unit_a, unit_b):
    indicators = list(catalogue.values())
    values = unit_values(indicators, [2022], [dgsn, region, unit_a, unit_b])
    handled = catalogue["cases_handled"].pk
    assert values[(dgsn.pk, handled, 2022)] == Decimal(350)
    assert values[(region.pk, handled, 2022)] == Decimal(150)
    assert values[(unit_a.pk, handled, 2022)] == Decimal(100)
    assert values[(region.pk, catalogue["solved_rate"].pk, 2022)] == ratio(Decimal(130), Decimal(150), 100)


def test_an_indicator_without_figures_is_missing_not_an_error(tree_figures):
    line = compute_bilan(2022).line("road_accidents")
    assert line.value is None and line.status == ChangeStatus.MISSING


def test_bilan_queries_do_not_grow_with_units(tree_figures, django_assert_num_queries, region, root):
    from tests.factories import DirectorateFactory

    # figures, catalogue, sums, and the approved roadmap's objectives (roadmap installed)
    with django_assert_num_queries(4):
        compute_bilan(2022)
    more = [DirectorateFactory(parent=region) for _ in range(15)]
    figure_set_many(
        actor=root, rows=[{"directorate": u, "indicator": "cases_handled", "year": 2022, "value": 1} for u in more]
    )
    with django_assert_num_queries(4):
        assert compute_bilan(2022).line("cases_handled").value == Decimal(365)
    assert Figure.objects.count() > 20


def test_roadmap_hook_returns_nothing_when_the_app_is_absent(monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(apps, "is_installed", lambda name: False)
    assert roadmap_objectives(2021) == []


@pytest.mark.django_db
def test_roadmap_hook_returns_nothing_without_an_approved_roadmap():
    assert roadmap_objectives(2021) == []
