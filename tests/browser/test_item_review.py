"""A real Chromium walks the item-level review: the office flags two items and returns the report; the unit's
head sees the checklist, can change only those items, answers a thread and resubmits; the office sees what
changed."""

import pytest

from reviews import services
from reviews.models import Report, ReportState, ReviewItemComment
from tests.browser_support import log_in
from tests.conftest import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted_with_parts(report_a, alice, bob):
    # No frozen clock here: the browser drops cookies that expired by its own (real) clock.
    services.report_update(
        actor=bob,
        report=report_a,
        summary="Bilan de l'année",
        achievements=[{"title": "Brigade anti-gang créée", "description": "12 agents"}],
        constraints=[{"category": "budget", "description": "Crédits tardifs"}],
    )
    return services.report_submit(actor=alice, report=fill(report_a, bob))


def test_office_flags_two_items_and_the_unit_fixes_only_those(page, submitted_with_parts, alice, olga):
    report = submitted_with_parts
    first, second = report.outcomes.order_by("deliverable_id")
    achievement = report.achievements.get()

    log_in(page, "olga")
    page.goto(f"/reports/{report.pk}/")
    page.click("#flag-items summary")
    page.check(f"#flag-outcome-{first.deliverable_id}")
    page.fill(f"#flag-comment-outcome-{first.deliverable_id}", "Joindre le procès-verbal de réception")
    page.check(f"#flag-achievement-{achievement.pk}")
    page.fill(f"#flag-comment-achievement-{achievement.pk}", "Préciser l'effectif réellement affecté")
    page.fill("#id_comment", "Deux points à reprendre")
    page.click("button[value=return]")
    assert page.locator('[data-state="returned"]').count() == 1

    # The head sees the checklist, each comment next to its item.
    log_in(page, "alice")
    page.goto(f"/reports/{report.pk}/")
    assert page.locator("#flags .flag-item").count() == 2
    assert "Joindre le procès-verbal de réception" in page.inner_text("#outcomes")
    page.goto(f"/reports/{report.pk}/edit/")
    assert page.locator(".flag-note").count() == 2
    # Only the flagged items are editable; the summary still is.
    assert page.is_enabled("select[name=outcomes-0-status]") != page.is_enabled("select[name=outcomes-1-status]")
    flagged_index = 0 if page.is_enabled("select[name=outcomes-0-status]") else 1
    locked_index = 1 - flagged_index
    assert not page.is_enabled(f"textarea[name=outcomes-{locked_index}-comment]")
    assert not page.is_enabled("textarea[name=constraints-0-description]")
    assert page.is_enabled("input[name=achievements-0-title]")
    assert page.locator("button[data-add-row]").count() == 0
    page.fill(f"textarea[name=outcomes-{flagged_index}-evidence]", "PV de réception n° 2022-114")
    page.fill("textarea[name=achievements-0-description]", "14 agents affectés au 1er octobre")
    page.fill("textarea[name=summary]", "Bilan de l'année, corrigé")
    page.click("button[name=save]")
    assert page.locator(".alert-success").count() == 1

    # The head answers the outcome's thread from the edit page.
    outcome_flag = report.review_items.get(kind="outcome")
    page.fill(f"#flag-answer-{outcome_flag.pk}", "Le PV est désormais cité ; l'original est au dossier.")
    page.click(f"#flag-{outcome_flag.pk} .flag-answer button[type=submit]")
    assert "Le PV est désormais cité" in page.inner_text(f"#flag-{outcome_flag.pk}")
    assert ReviewItemComment.objects.get().author == alice

    page.goto(f"/reports/{report.pk}/")
    page.click("button[value=submit]")
    assert page.locator('[data-state="submitted"]').count() == 1

    # The office sees what changed since the return, item by item.
    log_in(page, "olga")
    page.goto(f"/reports/{report.pk}/")
    changes = page.inner_text("#changes")
    assert "12 agents" in changes and "14 agents affectés au 1er octobre" in changes
    assert "PV de réception n° 2022-114" in changes
    assert page.locator("#changes tr.changed").count() == 2
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert all(flag.resolved for flag in report.review_items.all())
    assert page.external_requests == []
