"""The bilan page at national scale: the units' change notes are decided by the database, counted by domain
and shown a page at a time; next year's objectives are counted by domain with a link to the roadmap page,
while the PDF and the Excel workbook keep listing them. The page's queries do not grow with the country."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from figures.bilan import load_bilan, outlook_summary, roadmap_objective_counts
from figures.documents import render_xlsx
from figures.selectors import changes_past_threshold, national_change_notes
from figures.services import figure_set_many
from roadmap.models import Roadmap, RoadmapVersion
from tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db

# the session and its user, the rights, the bilan with its sections, the catalogue, the sums, the root's figures, the
# outlook's counts, the notes' counts by domain, their page's count and rows: the same at 5 and 65 changes
PAGE_QUERIES = 14


def _objective(ref, owner, category, state="active"):
    return {
        "ref": ref,
        "owner": owner,
        "state": state,
        "title": f"Objectif {ref}",
        "category": category,
        "milestones": [],
    }


@pytest.fixture
def next_roadmap(cycle, root):
    """2023's roadmap, approved twice: the bilan of 2022 reads the last approved version only."""
    roadmap = Roadmap.objects.create(year=2023, cycle=cycle, state="approved", version=3, approved_version=2)
    old = [_objective("R1", "SP-A", "digital")]
    new = [
        _objective("R1", "SP-A", "digital"),
        _objective("R2", "SP-A", "digital"),
        _objective("R3", "WS-B", "digital"),
        _objective("R4", "WS-B", "training"),
        _objective("R5", "WS-B", "training", state="dropped"),
    ]
    for number, objectives in ((1, old), (2, new)):
        RoadmapVersion.objects.create(
            roadmap=roadmap,
            number=number,
            approved_by=root,
            approved_at=timezone.now(),
            snapshot={"objectives": objectives},
        )
    return roadmap


@pytest.fixture
def many_changes(root, dgsn, unit_a, unit_b, region, catalogue):
    """Changes of every kind between 2021 and 2022 (threshold 30 % on cases_handled, 10 % on the others)."""
    for code in ("road_accidents", "cocaine_seized"):
        catalogue[code].change_threshold = Decimal(10)
        catalogue[code].save()
    rows = []
    cases = [  # unit, indicator, 2021, 2022
        (unit_a, "cases_handled", 1000, 1450),  # +45 %: past
        (unit_a, "road_accidents", 200, 180),  # −10 %: exactly the threshold, within
        (unit_a, "cocaine_seized", 0, 5),  # from zero: past ("new")
        (unit_b, "cases_handled", 1000, 1300),  # +30 %: exactly the threshold, within
        (unit_b, "road_accidents", 200, 100),  # −50 %: past
        (unit_b, "cocaine_seized", 0, 0),  # zero to zero: no change
        (region, "cases_handled", None, 400),  # nothing to compare with
        (region, "cocaine_seized", Decimal("3.3333"), Decimal("3.7")),  # +11 % (kg): past
        (region, "road_accidents", 20, 22),  # +10 % exactly: within
        (dgsn, "cases_handled", 300, 200),  # −33 %: past
    ]
    for unit, code, before, now in cases:
        if before is not None:
            rows.append({"directorate": unit, "indicator": code, "year": 2021, "value": before})
        rows.append(
            {
                "directorate": unit,
                "indicator": code,
                "year": 2022,
                "value": now,
                "justification": "Motif." if unit == unit_b else "",
            }
        )
    figure_set_many(actor=root, rows=rows)


def _key(row):
    return row["figure"].directorate.code, row["figure"].indicator.code, row["previous"], row["change"]


def test_the_database_finds_the_same_changes_as_the_rule(many_changes):
    expected = changes_past_threshold(directorate_ids=None, year=2022)
    notes = national_change_notes(year=2022)
    assert [_key(row) for row in notes["rows"]] == [_key(row) for row in expected]
    assert {(code, indicator) for code, indicator, _p, _c in map(_key, expected)} == {
        ("DGSN", "cases_handled"),
        ("SP-A", "cases_handled"),
        ("SP-A", "cocaine_seized"),
        ("WS-B", "road_accidents"),
        ("WS-R", "cocaine_seized"),
    }


def test_the_notes_are_counted_by_domain_and_paged(many_changes):
    notes = national_change_notes(year=2022, per_page=2)
    assert notes["total"] == 5 and notes["unjustified"] == 4
    by_domain = {row["domain"]: (row["changes"], row["justified"], row["unjustified"]) for row in notes["domains"]}
    assert by_domain == {"crime": (2, 0, 2), "drugs": (2, 0, 2), "road_safety": (1, 1, 0)}
    assert len(notes["rows"]) == 2 and notes["page"].paginator.num_pages == 3
    last = national_change_notes(year=2022, page="3", per_page=2)
    expected = changes_past_threshold(directorate_ids=None, year=2022)
    assert [_key(row) for row in last["rows"]] == [_key(expected[-1])]
    assert national_change_notes(year=2022, page="nonsense", per_page=2)["page"].number == 1


def test_the_outlook_counts_the_last_approved_version_by_domain(next_roadmap):
    counts = {(row["unit"], row["domain"]): row["count"] for row in roadmap_objective_counts(2023)}
    assert counts == {("SP-A", "digital"): 2, ("WS-B", "digital"): 1, ("WS-B", "training"): 1}
    _bilan, data = load_bilan(2022, objectives=False)
    outlook = outlook_summary(data)
    assert (outlook.total, outlook.units) == (4, 2)
    assert [(d.domain, d.objectives, d.units) for d in outlook.domains] == [("digital", 3, 2), ("training", 1, 1)]
    # Counted from the listed objectives (a published bilan's snapshot), the same figures.
    _bilan, full = load_bilan(2022)
    assert outlook_summary(full) == outlook


def test_the_bilan_page_counts_the_outlook_and_the_documents_list_it(client, next_roadmap, olga, dgsn, catalogue):
    client.force_login(olga)
    html = client.get(reverse("figures:bilan_detail", args=[2022])).content.decode()
    assert 'id="outlook-objectives"' in html
    assert 'data-total="4" data-units="2"' in html and reverse("roadmap:detail", args=[2023]) in html
    assert "Objectif R2" not in html  # the titles are on the roadmap page, not on the bilan page
    workbook = render_xlsx(load_bilan(2022)[1], "fr")
    from io import BytesIO

    from openpyxl import load_workbook

    cells = {
        str(cell.value)
        for sheet in load_workbook(BytesIO(workbook))
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert {"Objectif R1", "Objectif R2", "Objectif R3", "Objectif R4"} <= cells
    assert "Objectif R5" not in cells


def test_the_bilan_page_shows_a_page_of_notes_with_the_counts(client, many_changes, olga):
    client.force_login(olga)
    html = client.get(reverse("figures:bilan_detail", args=[2022])).content.decode()
    assert 'id="change-notes-domains"' in html and 'data-domain="road_safety"' in html
    assert 'data-total="5" data-unjustified="4"' in html
    assert html.count("<tr data-indicator=") == 5
    assert client.get(reverse("figures:bilan_detail", args=[2022]) + "?notes_page=99").status_code == 200


def test_the_bilan_page_queries_do_not_grow_with_the_country(
    client, many_changes, next_roadmap, olga, region, root, django_assert_num_queries
):
    url = reverse("figures:bilan_detail", args=[2022])
    client.force_login(olga)
    client.get(url)  # the session's idle clock is written on the first request

    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url).status_code == 200
    units = [DirectorateFactory(parent=region) for _ in range(60)]
    figure_set_many(
        actor=root,
        rows=[
            {"directorate": unit, "indicator": "cases_handled", "year": year, "value": value}
            for unit in units
            for year, value in ((2021, 100), (2022, 500))
        ],
    )
    roadmap_version = next_roadmap.versions.get(number=2)
    roadmap_version.snapshot = {
        "objectives": roadmap_version.snapshot["objectives"]
        + [_objective(f"X{n}", unit.code, "operations") for n, unit in enumerate(units)]
    }
    roadmap_version.save()
    with django_assert_num_queries(PAGE_QUERIES):
        html = client.get(url).content.decode()
    assert 'data-total="65" data-unjustified="64"' in html and html.count("<tr data-indicator=") == 50
    assert 'data-total="64" data-units="62"' in html
