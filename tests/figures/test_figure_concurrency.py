"""Figure entry names the version it read (optimistic concurrency), on the web form and the API alike:
a figure changed meanwhile is never silently overwritten, and nothing the writer typed is lost."""

import pytest

from figures.models import Figure
from figures.services import figure_set
from tests.helpers import figure_versions, if_match

pytestmark = pytest.mark.django_db

URL = "/api/v1/figures/"


@pytest.fixture
def figure(bob, unit_a, catalogue):
    return figure_set(actor=bob, directorate=unit_a, indicator="cases_handled", year=2022, value=100)


def _post(api, value, **headers):
    return api.post(
        URL,
        {"directorate": "SP-A", "indicator": "cases_handled", "year": 2022, "value": value},
        format="json",
        **headers,
    )


def test_changing_a_figure_through_the_api_needs_if_match(api, bob, figure):
    api.force_authenticate(bob)
    response = _post(api, 120)
    assert response.status_code == 428
    assert Figure.objects.get().value == 100
    response = _post(api, 120, **if_match(api, f"{URL}{figure.pk}/"))
    assert response.status_code == 201, response.json()
    assert Figure.objects.get().value == 120
    assert response["ETag"] == api.get(f"{URL}{figure.pk}/")["ETag"]


def test_a_stale_if_match_is_refused_and_the_other_change_kept(api, bob, alice, figure, unit_a):
    api.force_authenticate(bob)
    read = if_match(api, f"{URL}{figure.pk}/")
    figure_set(actor=alice, directorate=unit_a, indicator="cases_handled", year=2022, value=150)  # meanwhile
    response = _post(api, 120, **read)
    assert response.status_code == 412
    assert Figure.objects.get().value == 150


def test_entering_a_new_figure_needs_no_version(api, bob, unit_a, catalogue):
    api.force_authenticate(bob)
    assert _post(api, 7).status_code == 201


def test_bulk_changes_need_the_etags_of_the_figures_they_change(api, bob, alice, figure, unit_a):
    api.force_authenticate(bob)
    rows = {
        "rows": [
            {"directorate": "SP-A", "indicator": "cases_handled", "year": 2022, "value": "130"},
            {"directorate": "SP-A", "indicator": "cases_solved", "year": 2022, "value": "10"},
        ]
    }
    assert api.post(f"{URL}bulk/", rows, format="json").status_code == 428
    read = if_match(api, f"{URL}{figure.pk}/")
    figure_set(actor=alice, directorate=unit_a, indicator="cases_handled", year=2022, value=150)
    assert api.post(f"{URL}bulk/", rows, format="json", **read).status_code == 412
    assert not Figure.objects.filter(indicator__code="cases_solved").exists()  # all or nothing
    response = api.post(f"{URL}bulk/", rows, format="json", **if_match(api, f"{URL}{figure.pk}/"))
    assert response.status_code == 200, response.json()
    assert Figure.objects.get(indicator__code="cases_handled").value == 130


def test_the_web_form_refuses_a_figure_changed_meanwhile_and_keeps_what_was_typed(client, bob, alice, figure, unit_a):
    client.force_login(bob)
    url = "/units/SP-A/figures/2022/"
    page = client.get(url)
    assert page.status_code == 200, url
    versions = figure_versions(page.content.decode())
    assert versions["read-cases_handled"]
    figure_set(actor=alice, directorate=unit_a, indicator="cases_handled", year=2022, value=150)  # meanwhile
    response = client.post(
        url, {**versions, "value-cases_handled": "120", "note-cases_handled": "ma note", "value-cases_solved": "33"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "meanwhile" in html or "entre-temps" in html
    assert 'value="120"' in html and 'value="ma note"' in html and 'value="33"' in html  # nothing typed is lost
    assert Figure.objects.get(indicator__code="cases_handled").value == 150
    assert not Figure.objects.filter(indicator__code="cases_solved").exists()
    # The page now carries the new version: saving again, knowingly, goes through.
    again = client.post(url, {**figure_versions(html), "value-cases_handled": "120", "value-cases_solved": "33"})
    assert again.status_code == 302
    assert Figure.objects.get(indicator__code="cases_handled").value == 120
