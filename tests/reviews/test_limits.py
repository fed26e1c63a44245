"""Limits on the rows of each report part and on text lengths, with clear errors (web and API), and
history pages that stay small however long the history is."""

import pytest
from django.urls import reverse

from core.errors import ValidationFailed
from directorates.models import Deliverable
from reviews import services
from tests.factories import DeliverableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.REPORT_MAX_ITEMS = 200
    settings.REPORT_MAX_TEXT_CHARS = 20_000


def test_too_many_achievements_are_refused_by_the_service(report_a, bob):
    with pytest.raises(ValidationFailed) as error:
        services.report_update(actor=bob, report=report_a, achievements=[{"title": f"A{i}"} for i in range(201)])
    assert "At most 200 items" in str(error.value.errors["achievements"][0])
    services.report_update(actor=bob, report=report_a, achievements=[{"title": f"A{i}"} for i in range(200)])


def test_a_patch_with_20000_achievements_is_a_400_with_the_field(api, report_a, bob):
    api.force_authenticate(bob)
    response = api.patch(f"/api/v1/reports/{report_a.pk}/", {"achievements": [{"title": "x"}] * 20_000}, format="json")
    assert response.status_code == 400
    assert "achievements" in response.json()["errors"]
    assert not report_a.achievements.exists()


def test_texts_longer_than_the_limit_are_refused_with_the_field_named(api, report_a, bob):
    deliverable = report_a.outcomes.first().deliverable_id
    with pytest.raises(ValidationFailed) as error:
        services.report_update(
            actor=bob,
            report=report_a,
            summary="s" * 20_001,
            outcomes={deliverable: {"status": "done", "evidence": "e" * 20_001}},
            achievements=[{"title": "t" * 301}],
            constraints=[{"category": "staff", "description": "d" * 20_001}],
        )
    errors = error.value.errors
    assert "summary" in errors and "evidence" in errors["outcomes"][str(deliverable)]
    assert "title" in errors["achievements"]["0"] and "description" in errors["constraints"]["0"]
    api.force_authenticate(bob)
    response = api.patch(f"/api/v1/reports/{report_a.pk}/", {"achievements": [{"title": "t" * 301}]}, format="json")
    assert response.status_code == 400  # never a database error on PostgreSQL


def test_the_report_form_shows_the_limit_as_a_form_error(client, report_a, bob):
    client.force_login(bob)
    url = reverse("reviews:report_edit", args=[report_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = dict(_form_data(page))
    data["summary"] = "s" * 20_001
    response = client.post(url, data)
    assert response.status_code == 200
    forms = [
        value
        for context in response.context
        for value in context.flatten().values()
        if hasattr(value, "errors") and hasattr(value, "fields") and "summary" in value.fields
    ]
    assert forms and "20000" in str(forms[0].errors["summary"])
    report_a.refresh_from_db()
    assert report_a.summary != data["summary"]


def _form_data(page):
    """The edit form's current values (management forms included), as a browser would post them."""
    import re

    html = page.content.decode()
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name in re.findall(r'<textarea[^>]*name="([^"]+)"', html):
        data.setdefault(name, "")
    return data


@pytest.mark.parametrize("extra", [30, 300])
def test_a_units_history_is_paginated_with_a_constant_number_of_queries(
    client, olga, unit_a, extra, django_assert_num_queries
):
    for i in range(extra):
        DeliverableFactory(directorate=unit_a, title=f"Livrable {i}")
    Deliverable.objects.filter(directorate=unit_a).update(description="changé")
    for row in Deliverable.objects.filter(directorate=unit_a)[:20]:
        row.description = "changé encore"
        row.save()
    client.force_login(olga)
    url = reverse("directorates:unit_history", args=[unit_a.code])
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    entries = response.content.decode().count("<tr>") - 1
    assert entries == min(extra + 21, 100)
    last = client.get(url + "?page=999")  # past the end: the last page, not an error
    assert last.status_code == 200
    assert client.get(url + "?page=abc").status_code == 200


QUERIES = 12
