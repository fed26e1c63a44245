"""A real Chromium fills, submits, returns and accepts a report through the pages."""

import pytest

from reviews.models import Report, ReportState
from tests.browser_support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_from_draft_to_accepted_in_the_browser(page, report_a, alice, bob, olga, tmp_path):
    log_in(page, "bob")
    page.goto(f"/reports/{report_a.pk}/edit/")
    page.fill("textarea[name=summary]", "Bilan saisi dans le navigateur")
    page.select_option("select[name=outcomes-0-status]", "done")
    page.select_option("select[name=outcomes-1-status]", "partial")
    # Forgotten percentage: refused, and what was typed is still there.
    page.click("button[name=save]")
    assert page.locator(".alert-danger").count() == 1
    assert page.input_value("textarea[name=summary]") == "Bilan saisi dans le navigateur"
    page.fill("input[name=outcomes-1-percent_done]", "40")
    evidence = tmp_path / "pv.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.set_input_files("input[name=outcomes-0-file]", str(evidence))
    page.fill("input[name=achievements-0-title]", "Démantèlement d'un réseau")
    page.click("button[name=save]")
    assert "pv.pdf" in page.content()

    log_in(page, "alice")
    page.goto(f"/reports/{report_a.pk}/")
    page.click("button[value=submit]")
    assert page.locator('[data-state="submitted"]').count() == 1

    log_in(page, "olga")
    page.goto(f"/reports/{report_a.pk}/")
    page.fill("#id_comment", "Préciser le taux de réalisation")
    page.click("button[value=return]")
    assert page.locator('[data-state="returned"]').count() == 1

    # The editor corrects the returned report: the reason is at the top, a row is added without saving.
    log_in(page, "bob")
    page.goto(f"/reports/{report_a.pk}/edit/")
    assert "Préciser le taux de réalisation" in page.inner_text("#return-reason")
    page.click("button[data-add-row=achievements]")
    page.fill("input[name=achievements-1-title]", "Saisie record de stupéfiants")
    page.select_option("select[name=outcomes-0-status]", "partial")
    assert page.is_enabled("input[name=outcomes-0-percent_done]")
    page.select_option("select[name=outcomes-0-status]", "done")
    assert not page.is_enabled("input[name=outcomes-0-percent_done]")
    page.click("button[name=save]")
    assert page.locator(".alert-success").count() == 1
    assert page.locator(".achievement-row input[value='Saisie record de stupéfiants']").count() == 1

    log_in(page, "alice")
    page.goto(f"/reports/{report_a.pk}/")
    assert "Préciser le taux de réalisation" in page.content()
    page.click("button[value=submit]")

    log_in(page, "olga")
    page.goto(f"/reports/{report_a.pk}/")
    page.click("button[value=accept]")
    assert page.locator('[data-state="accepted"]').count() == 1
    assert Report.objects.get(pk=report_a.pk).state == ReportState.ACCEPTED
    assert page.external_requests == []


def test_arabic_layout_is_right_to_left(page, report_a, bob):
    log_in(page, "bob")
    page.goto("/reports/")
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == "rtl"
    assert page.external_requests == []
