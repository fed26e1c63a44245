"""The whole year in a real Chromium, once in French and once in Arabic (issue 9, "Tested as a person would").

Every step goes through the web pages with clicks and typing, as the people of the year would do it: the
editor fills unit A's 2022 report with an attachment, its head submits, the DG's office returns it with a
reason, the editor corrects it (the reason at the top), the head resubmits, the office accepts, builds the
meeting and records a priority, compiles the 2023 roadmap, gives an objective a milestone and proposes it; the
DG approves; the objectives appear in unit A's 2023 cahier des charges; the head records progress on the
milestone; the office downloads the 2022 bilan as PDF and Excel. Only the cast, the cycle, the cahier des
charges of 2022 and one figure are built with the fixtures.

At each step the test reads what a person reads: the state badge in the page's language, the message shown
after the action, and the words they typed.
"""

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from figures.models import Indicator
from figures.services import figure_set_many
from reviews.models import Report, ReportState
from roadmap.models import Milestone, Objective, Roadmap, RoadmapState
from tests.browser_support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_REASON = "Préciser le taux de réalisation du second livrable"
PRIORITY_TITLE = "Lutter contre la cybercriminalité"


def said(language, message):
    """What the page says for ``message`` in ``language`` (the project's own translation)."""
    with translation.override(language):
        return gettext(message)


def label(language, choice):
    with translation.override(language):
        return str(choice.label)


def speak(page, language):
    """Choose the page's language with the switcher in the header, as a person would (the choice is kept in
    the browser's language cookie for everyone who logs in afterwards in this browser)."""
    if page.get_attribute("html", "lang") != language:
        with page.expect_navigation():
            page.select_option("#language-select", language)
    assert page.get_attribute("html", "lang") == language
    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")


def messages(page):
    return page.inner_text(".messages")


def badge(page):
    return page.locator("[data-state]").first


@pytest.fixture
def year_ahead(report_a, alice, bob, olga, dino, unit_a):
    """Unit A's 2022 report just started (two deliverables in its cahier des charges) and one figure for
    the bilan; the cast: bob (editor), alice (head), olga (the DG's office), dino (the DG, who approves)."""
    Indicator.objects.create(
        code="arrests", name_fr="Interpellations", name_ar="توقيفات", name_en="Arrests", domain="crime"
    )
    figure_set_many(
        actor=bob,
        rows=[
            {"directorate": "SP-A", "indicator": "arrests", "year": year, "value": value}
            for year, value in ((2021, 130), (2022, 150))
        ],
    )
    return report_a


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_whole_year_through_the_pages(page, year_ahead, deliverables, unit_a, language, tmp_path):
    report = year_ahead
    report_url = f"/reports/{report.pk}/"
    first, second = deliverables
    page.set_default_timeout(10_000)  # a step that broke fails in seconds, not after Playwright's 30 s

    # 1. The editor fills the report, with the minutes of the first deliverable attached.
    log_in(page, "bob")
    page.goto(f"{report_url}edit/")
    speak(page, language)
    page.fill("textarea[name=summary]", "Bilan de l'année 2022 saisi par l'unité")
    page.select_option("select[name=outcomes-0-status]", "done")
    page.select_option("select[name=outcomes-1-status]", "partial")
    page.fill("input[name=outcomes-1-percent_done]", "40")
    evidence = tmp_path / "pv-reception.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.set_input_files("input[name=outcomes-0-file]", str(evidence))
    page.fill("input[name=achievements-0-title]", "Démantèlement d'un réseau")
    page.click("button[name=save]")
    assert said(language, "Report saved.") in messages(page)
    assert "pv-reception.pdf" in page.content()
    assert page.input_value("textarea[name=summary]") == "Bilan de l'année 2022 saisi par l'unité"

    # 2. The head submits.
    log_in(page, "alice")
    page.goto(report_url)
    page.click("button[value=submit]")
    assert said(language, "Report submitted to the DG's office.") in messages(page)
    assert badge(page).get_attribute("data-state") == "submitted"
    assert badge(page).inner_text() == label(language, ReportState.SUBMITTED)

    # 3. The DG's office returns it with a reason.
    log_in(page, "olga")
    page.goto(report_url)
    page.fill("#id_comment", RETURN_REASON)
    page.click("button[value=return]")
    assert said(language, "Report returned to the unit.") in messages(page)
    assert badge(page).get_attribute("data-state") == "returned"
    assert badge(page).inner_text() == label(language, ReportState.RETURNED)

    # 4. The editor corrects the returned report: the reason is at the top of the edit page.
    log_in(page, "bob")
    page.goto(report_url)
    assert RETURN_REASON in page.inner_text("#return-reason")
    page.goto(f"{report_url}edit/")
    assert RETURN_REASON in page.inner_text("#return-reason")
    # At the top: above the first thing to correct.
    assert (
        page.locator("#return-reason").bounding_box()["y"] < page.locator("textarea[name=summary]").bounding_box()["y"]
    )
    page.fill("input[name=outcomes-1-percent_done]", "60")
    page.fill("textarea[name=outcomes-1-comment]", "Locaux livrés, équipement en cours")
    page.click("button[name=save]")
    assert said(language, "Report saved.") in messages(page)
    assert page.input_value("input[name=outcomes-1-percent_done]") == "60"

    # 5. The head resubmits; the reason is still shown to her.
    log_in(page, "alice")
    page.goto(report_url)
    assert RETURN_REASON in page.content()
    page.click("button[value=submit]")
    assert said(language, "Report submitted to the DG's office.") in messages(page)
    assert badge(page).get_attribute("data-state") == "submitted"

    # 6. The office accepts; the minutes the editor attached are there to open.
    log_in(page, "olga")
    page.goto(report_url)
    attachment = page.locator("a[href*='/attachments/']", has_text="pv-reception.pdf")
    assert attachment.count() == 1
    assert page.request.get(attachment.get_attribute("href")).body() == b"%PDF-1.4\n%%EOF\n"
    page.click("button[value=accept]")
    assert said(language, "Report accepted.") in messages(page)
    assert badge(page).get_attribute("data-state") == "accepted"
    assert badge(page).inner_text() == label(language, ReportState.ACCEPTED)
    assert Report.objects.get(pk=report.pk).state == ReportState.ACCEPTED

    # 7. The office builds the meeting from the accepted reports and records the DG's priority.
    page.goto("/meetings/2022/")
    page.fill("#id_date", "2022-12-22")
    page.fill("#id_place", "Rabat")
    with page.expect_navigation():
        page.click("#build-form button[type=submit]")
    assert said(language, "Meeting and agenda brought up to date.") in messages(page)
    assert page.locator('#agenda tr[data-unit="SP-A"]').count() == 1
    assert "Rabat" in page.inner_text("main")

    page.goto("/priorities/2022/")
    page.fill("#id_code", "P1")
    page.fill("#id_title_fr", PRIORITY_TITLE)
    page.fill("#id_title_ar", "مكافحة الجريمة الإلكترونية")
    page.select_option("#id_owners", [str(unit_a.pk)])
    with page.expect_navigation():
        page.click("#priority-form button[type=submit]")
    assert said(language, "Priority saved.") in messages(page)
    assert "SP-A" in page.inner_text('#priorities tr[data-code="P1"]')

    # 8. The office compiles the 2023 roadmap, plans a milestone on the priority's objective and proposes it.
    page.goto("/roadmap/2023/")
    with page.expect_navigation():
        page.click("button[formaction$='/compile/']")
    assert page.locator('#roadmap-state[data-state="draft"]').count() == 1
    assert page.inner_text("#roadmap-state") == label(language, RoadmapState.DRAFT)
    assert PRIORITY_TITLE in page.inner_text("#objectives")
    assert second.title in page.inner_text("#objectives")  # the deliverable only partly done carries over
    objective = Objective.objects.get(roadmap__year=2023, priority__code="P1", owner=unit_a)
    row = page.locator(f'#objectives tr[data-ref="{objective.ref}"]')
    with page.expect_navigation():
        row.locator("a[href$='/edit/']").click()
    page.fill("input[name=milestones-0-title]", "Cellule cyber opérationnelle")
    page.select_option("select[name=milestones-0-quarter]", "2")
    page.fill("input[name=milestones-0-target_value]", "10")
    with page.expect_navigation():
        page.click("#objective-form button[type=submit]")
    assert said(language, "Objective saved.") in messages(page)
    assert page.input_value("input[name=milestones-0-title]") == "Cellule cyber opérationnelle"

    page.goto("/roadmap/2023/")
    page.fill("#id_comment", "Projet de feuille de route 2023")
    with page.expect_navigation():
        page.click("button[formaction$='/propose/']")
    assert said(language, "Roadmap proposed for approval: the approvers are notified.") in messages(page)
    assert page.locator('#roadmap-state[data-state="proposed"]').count() == 1
    assert page.inner_text("#roadmap-state") == label(language, RoadmapState.PROPOSED)

    # 9. The DG, who holds the approval right, approves.
    log_in(page, "dino")
    page.goto("/roadmap/2023/")
    assert "Projet de feuille de route 2023" in page.inner_text("main")
    page.fill("#id_comment", "Approuvée")
    with page.expect_navigation():
        page.click("button[formaction$='/approve/']")
    assert said(language, "Roadmap approved: each unit's objectives are now its cahier des charges.") in messages(page)
    assert page.locator('#roadmap-state[data-state="approved"]').count() == 1
    assert page.inner_text("#roadmap-state") == label(language, RoadmapState.APPROVED)
    assert Roadmap.objects.get(year=2023).state == RoadmapState.APPROVED

    # 10. The approved objectives are unit A's 2023 cahier des charges, as its head reads it.
    log_in(page, "alice")
    page.goto("/units/SP-A/deliverables/2023/")
    cahier = page.inner_text("#deliverables")
    assert PRIORITY_TITLE in cahier
    assert second.title in cahier
    assert first.title not in cahier  # done in 2022: not carried over

    # 11. The head records the progress of the milestone.
    milestone = Milestone.objects.get(
        objective__roadmap__year=2023, objective__ref=objective.ref, objective__is_draft=False
    )
    page.goto(f"/objectives/{milestone.objective_id}/")
    with page.expect_navigation():
        page.click(f'#milestones tr[data-milestone="{milestone.pk}"] a[href$="/progress/"]')
    page.fill("#id_value", "4")
    page.fill("#id_comment", "Quatre enquêteurs formés")
    with page.expect_navigation():
        page.click("#progress-form button[type=submit]")
    assert said(language, "Progress recorded.") in messages(page)
    progress = page.inner_text(f'#milestones tr[data-milestone="{milestone.pk}"]')
    assert "Quatre enquêteurs formés" in progress and "4" in progress

    # 12. The office downloads the 2022 bilan, as PDF and as an Excel workbook, in the page's language.
    log_in(page, "olga")
    page.goto("/bilan/2022/")
    with page.expect_download() as pdf_download:
        page.click(f"a[href*='download.pdf'][lang={language}]")
    pdf = pdf_download.value
    assert pdf.suggested_filename == f"bilan-2022-{language}.pdf"
    pdf_bytes = open(pdf.path(), "rb").read()
    assert pdf_bytes.startswith(b"%PDF") and len(pdf_bytes) > 1000
    with page.expect_download() as xlsx_download:
        page.click(f"a[href*='download.xlsx'][lang={language}]")
    workbook = xlsx_download.value
    assert workbook.suggested_filename == f"bilan-2022-{language}.xlsx"
    book = load_workbook(io.BytesIO(open(workbook.path(), "rb").read()))
    cells = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert PRIORITY_TITLE in cells  # next year's approved objectives close the bilan
    # The content types, as the browser receives them.
    for fmt, content_type in (
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        response = page.request.get(f"/bilan/2022/download.{fmt}?lang={language}")
        assert response.ok and response.headers["content-type"] == content_type and len(response.body()) > 1000
    assert page.external_requests == []
