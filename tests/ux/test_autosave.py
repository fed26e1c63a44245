"""Report drafts save themselves in the background; nothing is lost or overwritten when someone else saved
meanwhile; leaving a form with unsaved changes asks first."""

import re

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Report
from tests.browser_support import log_in
from tests.reviews.test_web import edit_payload

AUTOSAVE = {"HTTP_X_AUTOSAVE": "1", "HTTP_ACCEPT": "application/json"}


def wait_until(page, condition, seconds=20):
    """Poll the page (the CSP forbids Playwright's evaluated predicates) until ``condition()`` holds."""
    for _ in range(seconds * 5):
        if condition():
            return
        page.wait_for_timeout(200)
    raise AssertionError("the page never got there")


def autosave(client, report, **fields):
    return client.post(reverse("reviews:report_edit", args=[report.pk]), edit_payload(report, **fields), **AUTOSAVE)


def test_a_background_save_answers_the_new_version_and_the_ids_of_added_rows(client, report_a, bob):
    client.force_login(bob)
    response = autosave(
        client,
        report_a,
        summary="Brouillon",
        **{"achievements-TOTAL_FORMS": 2, "achievements-0-title": "Un", "achievements-1-title": "Deux"},
    )
    assert response.status_code == 200
    body = response.json()
    report = Report.objects.get(pk=report_a.pk)
    assert report.summary == "Brouillon" and body["version"] == report.version == report_a.version + 1
    ids = {a.title: a.pk for a in report.achievements.all()}
    assert body["ids"]["achievements"] == {"0": ids["Un"], "1": ids["Deux"]}
    # The next background save names the rows by their ids: updated, not added again.
    again = autosave(
        client,
        report,
        summary="Brouillon 2",
        **{
            "achievements-TOTAL_FORMS": 2,
            "achievements-0-id": ids["Un"],
            "achievements-0-title": "Un bis",
            "achievements-1-id": ids["Deux"],
            "achievements-1-title": "Deux",
        },
    )
    assert again.status_code == 200 and again.json()["ids"]["achievements"] == {}
    assert sorted(report.achievements.values_list("title", flat=True)) == ["Deux", "Un bis"]


def test_a_background_save_never_overwrites_a_newer_version(client, report_a, alice, bob):
    client.force_login(bob)
    stale = Report.objects.get(pk=report_a.pk)
    services.report_update(actor=alice, report=report_a, expected_version=report_a.version, summary="Texte d'Alice")
    response = autosave(client, stale, summary="Texte de Bob")
    assert response.status_code == 409 and response.json()["conflict"] is True
    assert Report.objects.get(pk=report_a.pk).summary == "Texte d'Alice"


def test_an_invalid_draft_is_not_saved_in_the_background(client, report_a, bob):
    client.force_login(bob)
    response = autosave(client, report_a, summary="Rien", **{"outcomes-0-status": "partial"})
    assert response.status_code == 400 and response.json()["detail"]
    assert Report.objects.get(pk=report_a.pk).summary == ""


def test_a_submitted_report_refuses_background_saves(client, submitted_report, bob):
    client.force_login(bob)
    response = autosave(client, submitted_report, summary="Trop tard")
    assert response.status_code == 409
    assert Report.objects.get(pk=submitted_report.pk).summary != "Trop tard"


def test_the_report_form_declares_autosave_and_the_warning_without_inline_script(client, report_a, bob):
    client.force_login(bob)
    html = client.get(reverse("reviews:report_edit", args=[report_a.pk])).content.decode()
    form = re.search(r'<form[^>]*id="report-form"[^>]*>', html)[0]
    assert "data-autosave" in form and "data-unsaved-warning" in form
    assert 'id="autosave-status"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " onbeforeunload" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_draft_saves_itself_and_a_conflict_keeps_the_text(page, report_a, alice, bob):
    log_in(page, "bob")
    page.goto(f"/reports/{report_a.pk}/edit/")
    page.fill("textarea[name=summary]", "Saisi sans cliquer sur Enregistrer")
    page.click("button[data-add-row=achievements]")
    page.fill("input[name=achievements-1-title]", "Ligne ajoutée")
    wait_until(page, lambda: page.input_value("input[name=achievements-1-id]") != "")
    report = Report.objects.get(pk=report_a.pk)
    assert report.summary == "Saisi sans cliquer sur Enregistrer"
    assert list(report.achievements.values_list("title", flat=True)) == ["Ligne ajoutée"]
    assert page.input_value("input[name=version]") == str(report.version)
    # A second change updates the same row (its id came back), not a new one.
    page.fill("input[name=achievements-1-title]", "Ligne ajoutée, corrigée")
    wait_until(page, lambda: page.input_value("input[name=version]") != str(report.version))
    assert list(Report.objects.get(pk=report_a.pk).achievements.values_list("title", flat=True)) == [
        "Ligne ajoutée, corrigée"
    ]

    # Someone else saves meanwhile: the next background save is refused, nothing is overwritten and the
    # text typed here stays in the page.
    current = Report.objects.get(pk=report_a.pk)
    services.report_update(actor=alice, report=current, expected_version=current.version, summary="Version d'Alice")
    page.fill("textarea[name=summary]", "Texte de Bob à ne pas perdre")
    page.wait_for_selector("#autosave-status.alert-danger", timeout=20000)
    assert Report.objects.get(pk=report_a.pk).summary == "Version d'Alice"
    assert page.input_value("textarea[name=summary]") == "Texte de Bob à ne pas perdre"

    # Leaving the page with those changes asks first.
    asked = []
    page.on("dialog", lambda dialog: asked.append(dialog.type))
    page.goto("/reports/")
    assert "beforeunload" in asked
