"""Deliverables handed over from an approved roadmap change only through the roadmap,
or by the DG's office with a reason: on the web, the API and the admin alike (imports: tests/transfers)."""

import datetime

import pytest
from django.urls import reverse

from directorates.models import Deliverable
from tests.factories import DeliverableFactory
from tests.helpers import if_match


@pytest.fixture
def handed_over(unit_a):
    return DeliverableFactory(
        directorate=unit_a,
        year=2022,
        title="Brigade cynophile",
        origin=Deliverable.Origin.ROADMAP,
        origin_reference="2022-SP-A-01",
        due_date=datetime.date(2022, 12, 31),
    )


def _form(d, **changes):
    data = {
        "title": d.title,
        "description": d.description,
        "category": d.category,
        "target_quantity": d.target_quantity or "",
        "target_unit": d.target_unit,
        "target_date": "",
        "due_date": d.due_date.isoformat(),
    }
    data.update(changes)
    return data


def _url(d, *suffix):
    name = "directorates:deliverable_delete" if suffix else "directorates:deliverable_edit"
    return reverse(name, args=[d.directorate.code, d.year, d.pk])


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_unit_people_cannot_edit_or_delete_a_roadmap_deliverable_on_the_web(client, handed_over, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(handed_over)).status_code == 302
    client.post(_url(handed_over), _form(handed_over, title="Autre chose"))
    client.post(_url(handed_over, "delete"))
    assert Deliverable.objects.get(pk=handed_over.pk).title == "Brigade cynophile"
    html = client.get(reverse("directorates:cahier_year", args=["SP-A", 2022])).content.decode()
    assert _url(handed_over) not in html and "roadmap-locked" in html


def test_the_office_corrects_a_roadmap_deliverable_only_with_a_reason(client, handed_over, olga):
    client.force_login(olga)
    response = client.post(_url(handed_over), _form(handed_over, title="Brigade cynophile (2 équipes)"))
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    assert Deliverable.objects.get(pk=handed_over.pk).title == "Brigade cynophile"
    response = client.post(
        _url(handed_over),
        _form(handed_over, title="Brigade cynophile (2 équipes)", reason="Erreur de saisie à la compilation"),
    )
    assert response.status_code == 302
    saved = Deliverable.objects.get(pk=handed_over.pk)
    assert saved.title == "Brigade cynophile (2 équipes)" and saved.origin == Deliverable.Origin.ROADMAP
    assert saved.history.first().history_change_reason == "Erreur de saisie à la compilation"


def test_the_office_deletes_a_roadmap_deliverable_only_with_a_reason(client, handed_over, olga):
    client.force_login(olga)
    client.post(_url(handed_over, "delete"))
    assert Deliverable.objects.filter(pk=handed_over.pk).exists()
    client.post(_url(handed_over, "delete"), {"reason": "Objectif abandonné en réunion"})
    assert not Deliverable.objects.filter(pk=handed_over.pk).exists()


def test_the_api_refuses_unit_people_and_asks_the_office_for_a_reason(api, handed_over, alice, olga):
    url = f"/api/v1/deliverables/{handed_over.pk}/"
    api.force_authenticate(alice)
    assert api.patch(url, {"title": "Autre"}, format="json", **if_match(api, url)).status_code == 403
    api.force_authenticate(olga)
    response = api.patch(url, {"title": "Autre"}, format="json", **if_match(api, url))
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert (
        api.patch(url, {"title": "Autre", "reason": "Corrigé"}, format="json", **if_match(api, url)).status_code == 200
    )
    assert Deliverable.objects.get(pk=handed_over.pk).title == "Autre"


def test_nobody_hands_a_deliverable_over_by_hand(api, unit_a, olga):
    from core.errors import DomainError
    from directorates import services

    with pytest.raises(DomainError):
        services.deliverable_create(
            actor=olga,
            directorate=unit_a,
            year=2022,
            title="Faux",
            category="operations",
            due_date=datetime.date(2022, 6, 1),
            origin=Deliverable.Origin.ROADMAP,
        )


def test_the_admin_asks_for_a_reason_and_offers_no_delete(client, handed_over, root):
    client.force_login(root)
    url = reverse("admin:directorates_deliverable_change", args=[handed_over.pk])
    data = {
        "directorate": handed_over.directorate_id,
        "year": 2022,
        "title": "Changé",
        "description": "",
        "category": "operations",
        "target_quantity": "",
        "target_unit": "",
        "target_date": "",
        "due_date": "2022-12-31",
        "origin": "roadmap",
        "origin_reference": handed_over.origin_reference,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert Deliverable.objects.get(pk=handed_over.pk).title == "Brigade cynophile"
    assert client.post(url, {**data, "reason": "Correction"}).status_code == 302
    assert Deliverable.objects.get(pk=handed_over.pk).title == "Changé"
    delete = reverse("admin:directorates_deliverable_delete", args=[handed_over.pk])
    assert client.get(delete).status_code == 403
