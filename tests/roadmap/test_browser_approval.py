"""A real Chromium: the DG's office (``dg.office``, holding both rights as in the demo) compiles, proposes and
approves the roadmap with one login (issue #15)."""

import pytest
import time_machine

from directorates import permissions as unit_permissions
from reviews import services as review_services
from roadmap import permissions as roadmap_permissions
from roadmap.models import Roadmap, RoadmapVersion
from tests.browser_support import log_in
from tests.factories import office_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dg_office(db):
    user = office_user(username="dg.office", first_name="Cabinet", last_name="du DG")
    unit_permissions.join(user, roadmap_permissions.GROUPS, roadmap_permissions.APPROVE_ROADMAP)
    return user


@pytest.fixture
def reviewed_2022(report_a, alice, bob, deliverables, dg_office):
    """Unit A's 2022 report, one deliverable not done, accepted — filed in November 2022 (clock moved only
    for the set-up: the browser's session cookies follow the real clock)."""
    with time_machine.travel("2022-11-15 10:00 +01:00", tick=False):
        review_services.report_update(
            actor=bob,
            report=report_a,
            outcomes={
                deliverables[0].pk: {"status": "done"},
                deliverables[1].pk: {"status": "not_done", "comment": "Crédits non débloqués"},
            },
        )
        review_services.report_submit(actor=alice, report=report_a)
        return review_services.report_accept(actor=dg_office, report=report_a)


def test_the_dg_office_compiles_proposes_and_approves_in_the_browser(page, reviewed_2022, dg_office):
    log_in(page, "dg.office")
    page.goto("/roadmap/2023/")
    with page.expect_navigation():
        page.click("button[formaction$='/compile/']")
    assert page.locator('#roadmap-state[data-state="draft"]').count() == 1
    assert page.locator("#objectives tbody tr[data-ref]").count() >= 1

    page.fill("#id_comment", "Projet de feuille de route 2023")
    with page.expect_navigation():
        page.click("button[formaction$='/propose/']")
    assert page.locator('#roadmap-state[data-state="proposed"]').count() == 1
    assert "proposée par Cabinet du DG" in page.inner_text("#current-version")

    page.fill("#id_comment", "Approuvée")
    with page.expect_navigation():
        page.click("button[formaction$='/approve/']")
    assert page.locator('#roadmap-state[data-state="approved"]').count() == 1
    versions = page.inner_text("#versions")
    assert "proposée par Cabinet du DG" in versions and "approuvée par Cabinet du DG" in versions

    roadmap = Roadmap.objects.get(year=2023)
    version = RoadmapVersion.objects.get(roadmap=roadmap)
    assert (version.proposed_by, version.approved_by) == (dg_office, dg_office)
    assert page.external_requests == []
