"""A deliverable added to a cahier des charges after the report was started gets its outcome row, by
every path: the form, the API, the admin (one service), a spreadsheet import, the roadmap hand-over."""

import datetime

import pytest
from django.urls import reverse

from core.errors import DomainError
from directorates import services as directorate_services
from reviews import services
from reviews.models import Outcome, ReportState
from tests.transfers.conftest import DELIVERABLE_HEADERS, confirm, deliverable_row, start, upload  # noqa: F401

pytestmark = pytest.mark.django_db


def _titles(report):
    return set(Outcome.objects.filter(report=report).values_list("deliverable__title", flat=True))


def test_the_service_behind_form_api_and_admin_adds_the_outcome(report_a, alice):
    deliverable = directorate_services.deliverable_create(
        actor=alice,
        directorate=report_a.directorate,
        year=2022,
        title="Ajouté après",
        category="operations",
        due_date=datetime.date(2022, 12, 31),
    )
    assert "Ajouté après" in _titles(report_a)
    assert Outcome.history.filter(deliverable=deliverable, history_type="+").exists()


def test_the_page_form_adds_the_outcome(client, report_a, alice):
    client.force_login(alice)
    response = client.post(
        reverse("directorates:deliverable_add", args=[report_a.directorate.code, 2022]),
        {"title": "Par le formulaire", "category": "operations", "due_date": "2022-12-31"},
    )
    assert response.status_code in (200, 302)
    assert "Par le formulaire" in _titles(report_a)


def test_the_api_adds_the_outcome(api, report_a, alice):
    api.force_authenticate(alice)
    response = api.post(
        "/api/v1/deliverables/",
        {
            "directorate": report_a.directorate.code,
            "year": 2022,
            "title": "Par l'API",
            "category": "operations",
            "due_date": "2022-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert "Par l'API" in _titles(report_a)


def test_an_import_adds_the_outcomes_and_the_report_can_be_submitted(
    report_a, alice, bob, olga, start, confirm, frozen
):
    from tests.conftest import fill

    job = start(
        olga,
        "deliverables",
        upload(
            DELIVERABLE_HEADERS,
            [
                deliverable_row(code=report_a.directorate.code, title="Importé 1"),
                deliverable_row(code=report_a.directorate.code, title="Importé 2"),
            ],
        ),
    )
    job = confirm(olga, job)
    assert job.state == "applied", (job.message, job.row_errors)
    assert {"Importé 1", "Importé 2"} <= _titles(report_a)
    fill(report_a, bob)  # states an outcome for every row the report shows
    report = services.report_submit(actor=alice, report=report_a)
    assert report.state == ReportState.SUBMITTED


def test_a_submitted_report_is_left_alone(submitted_report, olga):
    deliverable = directorate_services.deliverable_create
    before = _titles(submitted_report)
    with pytest.raises(DomainError):  # the guard freezes a submitted report's cahier des charges
        deliverable(
            actor=olga,
            directorate=submitted_report.directorate,
            year=2022,
            title="Trop tard",
            category="operations",
            due_date=datetime.date(2022, 12, 31),
        )
    assert _titles(submitted_report) == before
