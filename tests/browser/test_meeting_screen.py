"""A real Chromium projects the meeting screen: unit by unit in agenda order, moved with the arrow keys
(mirrored in Arabic), with the unit's figures over five years, without loading anything from outside."""

import pytest

from figures.models import Indicator
from figures.services import figure_set_many
from reviews import services as review_services
from roadmap import services
from tests.browser_support import log_in
from tests.conftest import fill
from tests.factories import DeliverableFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agenda(report_a, unit_b, alice, bob, charlie, olga, root):
    """Unit A then unit B on the agenda, both accepted; unit A has four years of one figure before 2022."""
    Indicator.objects.create(
        code="arrests", name_fr="Interpellations", name_ar="توقيفات", name_en="Arrests", domain="crime"
    )
    figure_set_many(
        actor=root,
        rows=[
            {"directorate": "SP-A", "indicator": "arrests", "year": year, "value": value}
            for year, value in ((2018, 100), (2019, 110), (2020, 120), (2021, 130))
        ],
    )
    review_services.report_submit(actor=alice, report=fill(report_a, bob))
    review_services.report_accept(actor=olga, report=report_a)
    DeliverableFactory(directorate=unit_b, title="Former 50 agents")
    editor_b = MembershipFactory(user=UserFactory(username="eve"), directorate=unit_b, role="editor").user
    report_b = review_services.report_start(actor=editor_b, cycle=report_a.cycle, directorate=unit_b)
    review_services.report_submit(actor=charlie, report=fill(report_b, editor_b))
    review_services.report_accept(actor=olga, report=report_b)
    meeting = services.meeting_build(actor=olga, cycle=report_a.cycle)
    return [item.directorate.code for item in meeting.agenda.order_by("position")]


def test_the_screen_moves_unit_by_unit_with_the_arrow_keys(page, agenda):
    first, second = agenda
    log_in(page, "olga")
    page.goto("/meetings/2022/screen/")
    assert page.url.endswith(f"/meetings/2022/screen/{first}/")
    assert page.locator("#compstat").count() == 1
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    assert page.url.endswith(f"/meetings/2022/screen/{second}/")
    page.keyboard.press("ArrowRight")  # the last unit: nowhere further
    assert page.url.endswith(f"/meetings/2022/screen/{second}/")
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    assert page.url.endswith(f"/meetings/2022/screen/{first}/")
    page.goto("/meetings/2022/screen/SP-A/")
    series = page.locator('[data-indicator="arrests"]')
    assert series.count() >= 1
    text = page.inner_text("#compstat")
    for year in ("2018", "2019", "2020", "2021", "2022"):
        assert year in text
    assert page.external_requests == []


def test_in_arabic_the_arrows_are_mirrored(page, agenda):
    first, second = agenda
    log_in(page, "olga")
    page.goto(f"/meetings/2022/screen/{first}/")
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")  # "next" lies to the left in a right-to-left page
    assert page.url.endswith(f"/meetings/2022/screen/{second}/")
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    assert page.url.endswith(f"/meetings/2022/screen/{first}/")
