"""Bidirectional control characters never reach the database (issue 10, point 6): one rule (core.text)
for the web forms, the API, the admin, services' bulk writes and spreadsheet imports."""

import pytest

from core.text import clean_text
from directorates.models import Deliverable
from reviews.models import Report
from transfers.widgets import TextWidget

SPOOF = "rapport\u202egpj.exe \u2066isolé\u2069 \u200fmarque\u200e \u202aemb\u202c\u061c"
CLEAN = "rapportgpj.exe isolé marque emb"


def test_the_rule_removes_every_bidi_control_and_nul():
    assert clean_text(SPOOF) == CLEAN
    assert clean_text("a\x00b") == "ab"
    assert clean_text("عربي Français") == "عربي Français"
    assert clean_text(None) is None


def test_a_web_form_stores_text_without_bidi_controls(client, report_a, bob):
    client.force_login(bob)
    page = client.get(f"/reports/{report_a.pk}/edit/")
    form = page.context["summary_form"]
    data = {"version": report_a.version, "summary": SPOOF}
    for prefix, formset in (
        ("outcomes", page.context["outcome_fs"]),
        ("achievements", page.context["ach_fs"]),
        ("constraints", page.context["con_fs"]),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = len(formset.forms) if prefix == "outcomes" else 0
        data[f"{prefix}-INITIAL_FORMS"] = len(formset.forms) if prefix == "outcomes" else 0
        if prefix == "outcomes":
            for i, f in enumerate(formset.forms):
                data[f"outcomes-{i}-deliverable"] = f.initial["deliverable"]
    assert form is not None
    response = client.post(f"/reports/{report_a.pk}/edit/", data)
    assert response.status_code == 302, response.content[:500]
    assert Report.objects.get(pk=report_a.pk).summary == CLEAN


def test_the_api_stores_text_without_bidi_controls(api, report_a, bob):
    api.force_authenticate(bob)
    response = api.patch(
        f"/api/v1/reports/{report_a.pk}/",
        {"version": report_a.version, "summary": SPOOF, "achievements": [{"title": SPOOF}]},
        format="json",
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["summary"] == CLEAN
    assert response.json()["achievements"][0]["title"] == CLEAN


@pytest.mark.django_db
def test_bulk_writes_and_spreadsheet_cells_lose_them_too(unit_a, olga):
    from core import audit

    audit.bulk_create(
        Deliverable,
        [Deliverable(directorate=unit_a, year=2030, title=SPOOF, category="operations", due_date="2030-12-31")],
        actor=olga,
    )
    assert Deliverable.objects.get(year=2030).title == CLEAN
    assert TextWidget().clean(f"  {SPOOF}  ") == CLEAN
