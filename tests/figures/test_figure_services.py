"""Entering figures: validation, the report's review lock, who may write, history rows."""

from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from figures.models import Figure
from figures.services import figure_set, figure_set_many
from reviews import services as review_services
from tests.conftest import fill


def test_editor_enters_a_figure_of_their_unit_with_history(bob, unit_a, catalogue):
    figure = figure_set(
        actor=bob,
        directorate=unit_a,
        indicator="cases_handled",
        year=2022,
        value="1 204",
        source_note="Registre des plaintes",
    )
    assert figure.value == Decimal(1204) and figure.entered_by == bob
    figure = figure_set(actor=bob, directorate=unit_a, indicator="cases_handled", year=2022, value=1300)
    history = list(figure.history.order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_user == bob and history[-1].value == Decimal(1300)


def test_bulk_entry_writes_one_history_row_per_figure(root, dgsn, unit_a, unit_b, catalogue):
    rows = [
        {"directorate": "SP-A", "indicator": code, "year": 2020, "value": 10}
        for code in ("cases_handled", "cases_solved", "road_accidents")
    ]
    assert figure_set_many(actor=root, rows=rows)["created"] == 3
    assert Figure.history.filter(history_type="+").count() == 3
    rows[0]["value"] = 11
    result = figure_set_many(actor=root, rows=rows)
    assert (result["updated"], result["unchanged"]) == (1, 2)
    assert Figure.history.filter(history_type="~").count() == 1
    rows[0]["value"] = ""
    assert figure_set_many(actor=root, rows=rows[:1])["cleared"] == 1
    assert Figure.history.filter(history_type="-").count() == 1


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        ("cases_handled", "-3", "negative"),
        ("cases_handled", "2.5", "whole number"),
        ("cases_handled", "beaucoup", "Enter a number"),
        ("cases_handled", "NaN", "Enter a number"),
        ("cocaine_seized", "1.123456", "decimal places"),
        ("share_women", "120", "percentage"),
    ],
)
def test_invalid_values_are_refused_with_a_clear_message(root, dgsn, catalogue, indicator, value, message):
    with pytest.raises(ValidationFailed) as error:
        figure_set(actor=root, directorate=dgsn, indicator=indicator, year=2020, value=value)
    assert message in " ".join(error.value.errors["value"])
    assert not Figure.objects.exists()


def test_kilograms_keep_their_decimals(root, dgsn, catalogue):
    figure = figure_set(actor=root, directorate=dgsn, indicator="cocaine_seized", year=2020, value="132,167")
    assert figure.value == Decimal("132.167")


def test_a_derived_indicator_is_never_typed(root, dgsn, catalogue):
    with pytest.raises(ValidationFailed) as error:
        figure_set(actor=root, directorate=dgsn, indicator="solved_rate", year=2020, value=96)
    assert "computed" in error.value.errors["indicator"][0]


def test_a_national_figure_is_entered_only_at_the_root(root, dgsn, unit_a, catalogue):
    with pytest.raises(ValidationFailed):
        figure_set(actor=root, directorate=unit_a, indicator="staff", year=2020, value=5)
    assert figure_set(actor=root, directorate=dgsn, indicator="staff", year=2020, value=74520).value == 74520


def test_one_bad_row_writes_nothing_and_names_the_row(root, dgsn, unit_a, catalogue):
    rows = [
        {"directorate": "SP-A", "indicator": "cases_handled", "year": 2020, "value": 5},
        {"directorate": "NOPE", "indicator": "cases_handled", "year": 2020, "value": 5},
        {"directorate": "SP-A", "indicator": "unknown", "year": 1800, "value": 5},
    ]
    with pytest.raises(ValidationFailed) as error:
        figure_set_many(actor=root, rows=rows)
    assert set(error.value.errors) == {"1", "2"}
    assert "directorate" in error.value.errors["1"] and "year" in error.value.errors["2"]
    assert not Figure.objects.exists()


def test_figures_lock_once_the_report_is_submitted_and_reopen_when_returned(
    report_a, bob, alice, olga, catalogue, frozen
):
    figure_set(actor=bob, directorate=report_a.directorate, indicator="cases_handled", year=2022, value=5)
    report = review_services.report_submit(actor=alice, report=fill(report_a, bob))
    with pytest.raises(ValidationFailed) as error:
        figure_set(actor=bob, directorate=report.directorate, indicator="cases_handled", year=2022, value=6)
    assert "locked" in error.value.errors["directorate"][0]
    report = review_services.report_return(actor=olga, report=report, comment="Chiffres à préciser")
    assert (
        figure_set(actor=bob, directorate=report.directorate, indicator="cases_handled", year=2022, value=6).value == 6
    )
    report = review_services.report_submit(actor=alice, report=report)
    review_services.report_accept(actor=olga, report=report, comment="")
    with pytest.raises(ValidationFailed):
        figure_set(actor=alice, directorate=report.directorate, indicator="cases_handled", year=2022, value=7)
    # Other years of the unit have no report: still open.
    assert figure_set(actor=bob, directorate=report.directorate, indicator="cases_handled", year=2021, value=1)


@pytest.mark.parametrize("who", ["charlie", "rita", "victor", "oscar"])
def test_only_the_units_head_and_editors_enter_its_figures(request, who, unit_a, catalogue):
    actor = request.getfixturevalue(who)
    with pytest.raises(ValidationFailed) as error:
        figure_set(actor=actor, directorate=unit_a, indicator="cases_handled", year=2022, value=1)
    assert "head or editors" in error.value.errors["directorate"][0]


def test_dg_office_enters_figures_only_for_units_without_a_report(report_a, olga, unit_b, catalogue):
    assert figure_set(actor=olga, directorate=unit_b, indicator="cases_handled", year=2022, value=3)
    with pytest.raises(ValidationFailed):
        figure_set(actor=olga, directorate=report_a.directorate, indicator="cases_handled", year=2022, value=3)
