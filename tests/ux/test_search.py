"""One search box: units, reports, objectives and deliverables by name or code, only among what the person
may see (the apps' scoped selectors)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews import services as review_services
from tests.factories import DeliverableFactory, DirectorateFactory


def results(client, user, text, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(reverse("search"), {"q": text})
    assert response.status_code == 200
    html = response.content.decode()
    found = {}
    for kind in ("units", "reports", "objectives", "deliverables"):
        section = html[html.index(f'id="results-{kind}"') :]
        section = section[: section.index("</section>")]
        found[kind] = re.findall(r'<a href="([^"]+)"', section)
    return found, html


@pytest.fixture
def both_units(approved, unit_a, unit_b, charlie, cycle):
    """Unit A and unit B each with a deliverable, a report and objectives of the approved 2023 roadmap."""
    DeliverableFactory(directorate=unit_a, title="Brigade cynophile de Sefrou")
    DeliverableFactory(directorate=unit_b, title="Brigade cynophile de Fès")
    report_b = review_services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
    return report_b


def test_a_units_people_find_their_own_items_and_nothing_of_another_unit(
    client, both_units, approved, bob, unit_a, unit_b, report_a
):
    found, _html = results(client, bob, "brigade cynophile")
    assert found["deliverables"] == [reverse("directorates:cahier_year", args=["SP-A", 2022])]
    found, _html = results(client, bob, unit_b.code)
    assert found == {"units": [], "reports": [], "objectives": [], "deliverables": []}
    found, _html = results(client, bob, "SP-A")
    assert found["units"] == [reverse("directorates:cahier", args=["SP-A"])]
    assert found["reports"] == [reverse("reviews:report_detail", args=[report_a.pk])]
    own = {reverse("roadmap:objective_detail", args=[o.pk]) for o in approved.objectives.filter(owner=unit_a)}
    assert set(found["objectives"]) == own and own
    others = {reverse("roadmap:objective_detail", args=[o.pk]) for o in approved.objectives.filter(owner=unit_b)}
    for text in [o.title for o in approved.objectives.filter(owner=unit_b)]:
        assert not set(results(client, bob, text)[0]["objectives"]) & others


def test_unit_b_head_does_not_find_unit_a(client, both_units, charlie, unit_b, report_a):
    found, _html = results(client, charlie, "brigade cynophile")
    assert found["deliverables"] == [reverse("directorates:cahier_year", args=["WS-B", 2022])]
    found, _html = results(client, charlie, "SP-A")
    assert found == {"units": [], "reports": [], "objectives": [], "deliverables": []}


def test_the_office_finds_every_unit_and_a_report_by_year(client, both_units, olga, report_a):
    found, _html = results(client, olga, "brigade cynophile")
    assert len(found["deliverables"]) == 2
    found, _html = results(client, olga, "SP-A 2022")
    assert found["reports"] == [reverse("reviews:report_detail", args=[report_a.pk])]
    found, _html = results(client, olga, "SP-A 2021")
    assert found["reports"] == []


def test_a_draft_roadmap_objective_is_found_by_the_office_only(client, draft, olga, bob):
    objective = draft.objectives.filter(owner__code="SP-A").first()
    assert results(client, olga, objective.ref)[0]["objectives"] == [
        reverse("roadmap:objective_detail", args=[objective.pk])
    ]
    assert results(client, bob, objective.ref)[0]["objectives"] == []


def test_the_search_box_is_on_every_page_and_bad_input_is_a_400(client, bob, cycle):
    client.force_login(bob)
    html = client.get(reverse("reviews:report_list")).content.decode()
    assert 'id="nav-search"' in html and 'action="/search/"' in html
    assert client.get(reverse("search"), {"q": "x" * 101}).status_code == 400
    assert client.get(reverse("search"), {"q": "a\x00b"}).status_code == 400
    assert client.get(reverse("search")).status_code == 200


def test_the_search_costs_the_same_queries_with_more_matches(client, olga, region):
    def count():
        client.force_login(olga)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("search"), {"q": "zeta"}).status_code == 200
        return len(queries)

    unit = DirectorateFactory(code="SP-ZETA1", parent=region)
    DeliverableFactory(directorate=unit, title="Zeta 1")
    before = count()
    for index in range(2, 6):
        unit = DirectorateFactory(code=f"SP-ZETA{index}", parent=region)
        DeliverableFactory(directorate=unit, title=f"Zeta {index}")
    assert count() == before
