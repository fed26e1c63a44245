"""Justified changes: a figure that moves past its indicator's threshold from the year before needs a
written justification before the report can be submitted; the office then reads it beside the figure."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import ValidationFailed
from figures.models import Figure
from figures.selectors import changes_past_threshold, entry_rows
from figures.services import figure_set, figure_set_many
from reviews import services as review_services
from reviews.models import ReportState
from tests.conftest import fill
from tests.helpers import figure_versions, if_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year(root, unit_a, catalogue):
    """2021 figures of unit A, entered by the administrator (no 2021 report)."""
    figure_set_many(
        actor=root,
        rows=[
            {"directorate": unit_a, "indicator": "cases_handled", "year": 2021, "value": 1000},
            {"directorate": unit_a, "indicator": "road_accidents", "year": 2021, "value": 200},
            {"directorate": unit_a, "indicator": "cocaine_seized", "year": 2021, "value": 0},
        ],
    )


@pytest.fixture
def ready_report(filled_report, bob, last_year):
    """A fully stated report whose 2022 figures move: +45 % (past 30), −10 % (within), 0 → 5 (new)."""
    figure_set_many(
        actor=bob,
        rows=[
            {"directorate": filled_report.directorate, "indicator": "cases_handled", "year": 2022, "value": 1450},
            {"directorate": filled_report.directorate, "indicator": "road_accidents", "year": 2022, "value": 180},
            {"directorate": filled_report.directorate, "indicator": "cocaine_seized", "year": 2022, "value": 5},
        ],
    )
    return filled_report


def test_changes_past_the_threshold_are_found_with_their_change(ready_report, unit_a):
    rows = changes_past_threshold(directorate_ids=[unit_a.pk], year=2022)
    found = {row["figure"].indicator.code: row for row in rows}
    assert set(found) == {"cases_handled", "cocaine_seized"}  # −10 % stays within 30 %
    assert found["cases_handled"]["change"] == Decimal(45)
    assert found["cases_handled"]["previous"] == Decimal(1000)
    assert found["cocaine_seized"]["change"].is_infinite()  # from zero: always past


def test_an_indicator_without_threshold_never_asks(ready_report, unit_a, catalogue):
    catalogue["cases_handled"].change_threshold = None
    catalogue["cases_handled"].save()
    codes = {row["figure"].indicator.code for row in changes_past_threshold(directorate_ids=[unit_a.pk], year=2022)}
    assert codes == {"cocaine_seized"}


def test_a_per_indicator_threshold_is_used(ready_report, unit_a, catalogue):
    catalogue["cases_handled"].change_threshold = Decimal(50)
    catalogue["cases_handled"].save()
    catalogue["road_accidents"].change_threshold = Decimal(5)
    catalogue["road_accidents"].save()
    codes = {row["figure"].indicator.code for row in changes_past_threshold(directorate_ids=[unit_a.pk], year=2022)}
    assert codes == {"road_accidents", "cocaine_seized"}


def test_submitting_with_unjustified_changes_is_refused_naming_each_figure(ready_report, alice):
    with pytest.raises(ValidationFailed) as error:
        review_services.report_submit(actor=alice, report=ready_report)
    problems = error.value.errors["figures"]
    assert len(problems) == 2
    assert any("(cases_handled): +45.0 % since 2021, past the 30.0 % threshold" in p for p in problems)
    assert ready_report.__class__.objects.get(pk=ready_report.pk).state == ReportState.DRAFT


def test_justified_changes_let_the_report_be_submitted(ready_report, alice, bob, unit_a, frozen):
    for code in ("cases_handled", "cocaine_seized"):
        figure_set(
            actor=bob,
            directorate=unit_a,
            indicator=code,
            year=2022,
            value=Figure.objects.get(indicator__code=code, year=2022).value,
            justification="Nouvelle brigade anti-gang créée en mars.",
        )
    report = review_services.report_submit(actor=alice, report=ready_report)
    assert report.state == ReportState.SUBMITTED


def test_a_justification_is_kept_when_a_later_save_does_not_send_it(ready_report, bob, unit_a):
    figure_set(
        actor=bob, directorate=unit_a, indicator="cases_handled", year=2022, value=1450, justification="Brigade créée."
    )
    figure_set(actor=bob, directorate=unit_a, indicator="cases_handled", year=2022, value=1460)
    figure = Figure.objects.get(indicator__code="cases_handled", year=2022)
    assert figure.justification == "Brigade créée."
    assert figure.history.order_by("-history_id").first().justification == "Brigade créée."


def test_api_submit_answers_400_naming_each_unjustified_figure(api, ready_report, alice):
    api.force_authenticate(alice)
    response = api.post(f"/api/v1/reports/{ready_report.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    figures = response.json()["errors"]["figures"]
    assert len(figures) == 2 and any("cocaine_seized" in f for f in figures)


def test_api_takes_and_shows_the_justification(api, ready_report, bob):
    api.force_authenticate(bob)
    figure = Figure.objects.get(directorate__code="SP-A", indicator__code="cases_handled", year=2022)
    response = api.post(
        "/api/v1/figures/",
        {
            "directorate": "SP-A",
            "indicator": "cases_handled",
            "year": 2022,
            "value": "1450",
            "justification": "Brigade créée.",
        },
        format="json",
        **if_match(api, f"/api/v1/figures/{figure.pk}/"),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["justification"] == "Brigade créée."


def test_the_entry_page_shows_the_change_and_asks_for_a_justification(client, ready_report, bob):
    client.force_login(bob)
    page = client.get(reverse("figures:report_figures", args=[ready_report.pk]))
    html = page.content.decode()
    assert 'name="justification-cases_handled"' in html
    assert 'name="justification-road_accidents"' not in html  # −10 %: nothing to justify
    assert "past-threshold" in html

    response = client.post(
        reverse("figures:report_figures", args=[ready_report.pk]),
        {
            **figure_versions(html),
            "value-cases_handled": "1450",
            "justification-cases_handled": "Brigade créée.",
            "value-road_accidents": "180",
            "value-cocaine_seized": "5",
        },
    )
    assert response.status_code == 302
    assert Figure.objects.get(indicator__code="cases_handled", year=2022).justification == "Brigade créée."


def test_the_office_reads_the_justification_beside_the_figure(client, ready_report, bob, alice, olga, unit_a, frozen):
    for code in ("cases_handled", "cocaine_seized"):
        figure_set(
            actor=bob,
            directorate=unit_a,
            indicator=code,
            year=2022,
            value=Figure.objects.get(indicator__code=code, year=2022).value,
            justification=f"Motif {code}.",
        )
    review_services.report_submit(actor=alice, report=ready_report)
    client.force_login(olga)
    html = client.get(reverse("figures:report_figures", args=[ready_report.pk])).content.decode()
    assert "Motif cases_handled." in html and 'class="small justification"' in html


def test_entry_rows_hold_the_change_in_two_queries_however_many_indicators(
    ready_report, unit_a, bob, django_assert_num_queries
):
    from tests.figures.conftest import make_indicator

    with django_assert_num_queries(2):
        rows = entry_rows(directorate=unit_a, year=2022)
    by_code = {row["indicator"].code: row for row in rows}
    assert by_code["cases_handled"]["past_threshold"] and not by_code["road_accidents"]["past_threshold"]

    for n in range(10):
        make_indicator(f"extra_{n}")
        figure_set(actor=bob, directorate=unit_a, indicator=f"extra_{n}", year=2022, value=n)
    with django_assert_num_queries(2):
        assert len(entry_rows(directorate=unit_a, year=2022)) == len(rows) + 10


@pytest.fixture
def justified(ready_report, bob, alice, unit_a, frozen):
    for code in ("cases_handled", "cocaine_seized"):
        figure_set(
            actor=bob,
            directorate=unit_a,
            indicator=code,
            year=2022,
            value=Figure.objects.get(indicator__code=code, year=2022).value,
            justification=f"Motif {code}.",
        )
    return review_services.report_submit(actor=alice, report=ready_report)


def test_the_office_sees_the_flagged_figures_on_the_report(client, justified, olga):
    client.force_login(olga)
    html = client.get(reverse("reviews:report_detail", args=[justified.pk])).content.decode()
    assert 'id="figure-changes"' in html
    assert 'data-indicator="cases_handled"' in html and "Motif cases_handled." in html
    assert 'data-indicator="road_accidents"' not in html


def test_the_briefing_pack_lists_the_flagged_figures(client, justified, olga):
    client.force_login(olga)
    page = client.get(reverse("roadmap:briefing", args=[2022, "SP-A"]))
    assert page.status_code == 200
    assert "Motif cocaine_seized." in page.content.decode()


def test_the_bilan_shows_the_justifications_as_notes_to_the_office_only(client, justified, olga, dgsn, bob):
    client.force_login(olga)
    html = client.get(reverse("figures:bilan_detail", args=[2022])).content.decode()
    assert 'id="change-notes"' in html and "Motif cases_handled." in html and ">SP-A<" in html
