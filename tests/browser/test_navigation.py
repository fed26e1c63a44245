"""The navbar menus lead the DG's office and a unit editor to every main page, in French and in Arabic.

Each page reached through a menu answers 200, has a heading, is right to left in Arabic, loads nothing
from outside and fits the window without a horizontal scroll bar.
"""

import pytest

from tests.browser_support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENUS = ["#menu-review", "#menu-roadmap", "#menu-figures", "#menu-tools"]
# Pages not built by the application's templates (Swagger UI, Django admin).
NOT_OURS = ("/api/docs/", "/admin/")


def menu_links(page):
    """(menu, href) of every item the user is offered, in navbar order."""
    return [
        (menu, href)
        for menu in MENUS
        for href in page.eval_on_selector_all(
            f"{menu} .dropdown-menu a.dropdown-item", "links => links.map(a => a.getAttribute('href'))"
        )
        if not href.startswith(NOT_OURS)
    ]


def open_through_menu(page, menu, href):
    page.click(f"{menu} > .dropdown-toggle")
    item = page.locator(f"{menu} .dropdown-menu a[href='{href}']")
    assert item.is_visible(), f"{href} is not shown when {menu} is opened"
    with page.expect_navigation() as navigation:
        item.click()
    return navigation.value


def choose_language(page, language):
    origin = page.evaluate("location.origin")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": origin + "/"}])


def visit_every_menu_page(page, language):
    choose_language(page, language)
    page.goto("/reports/")
    links = menu_links(page)
    for menu, href in links:
        response = open_through_menu(page, menu, href)
        assert response.status == 200, (language, href, response.status)
        assert page.locator("main h1").count() == 1, (language, href)
        assert page.get_attribute("html", "lang") == language
        assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr"), href
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (language, href, overflow)
    return [href for _, href in links]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_dg_office_reaches_every_main_page_through_the_menus(page, cycle, report_a, olga, language):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "olga")
    visited = visit_every_menu_page(page, language)
    for expected in (
        "/",
        "/reports/",
        "/units/",
        "/meetings/",
        "/priorities/",
        "/roadmap/",
        "/figures/",
        "/bilan/",
        "/imports/",
        "/notifications/cycles/",
    ):
        assert expected in visited
    page.click("#nav-notifications")
    assert page.locator("main h1").count() == 1
    assert page.external_requests == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_unit_editor_reaches_their_pages_and_is_not_offered_the_office_ones(page, cycle, report_a, bob, language):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "bob")
    visited = visit_every_menu_page(page, language)
    for expected in ("/reports/", "/units/", "/priorities/", "/roadmap/", "/figures/", "/bilan/", "/imports/"):
        assert expected in visited
    # Pages a unit would be refused (403) are not in its menus.
    for office_only in ("/", "/meetings/", "/notifications/cycles/", "/admin/"):
        assert office_only not in visited
    assert page.locator("a[href='/admin/']").count() == 0
    assert page.external_requests == []


def test_the_menus_fit_a_small_laptop_screen_in_arabic(page, cycle, olga):
    """At 1366 px the navbar stays on one line: the brand, four menus, the bell, language and account."""
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "olga")
    choose_language(page, "ar")
    page.goto("/reports/")
    assert page.evaluate("document.querySelector('nav.navbar').offsetHeight") < 70
    assert page.external_requests == []


def test_on_a_narrow_screen_the_menus_fold_and_the_bell_stays_visible(page, cycle, olga):
    page.set_viewport_size({"width": 800, "height": 900})
    log_in(page, "olga")
    assert page.locator("#nav-notifications").is_visible()
    assert not page.locator("#menu-review").is_visible()
    page.click(".navbar-toggler")
    page.locator("#menu-review").wait_for(state="visible")
    page.click("#menu-review > .dropdown-toggle")
    with page.expect_navigation():
        page.click("#menu-review a[href='/reports/']")
    assert page.locator("main h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_menus_fit_the_width_where_they_first_line_up(page, cycle, olga, language):
    """From 1200 px (where the menus leave the fold-out) to 1400 px the navbar's row fits the window:
    no horizontal scroll bar, no item pushed out of sight (Arabic and French labels are the longest)."""
    log_in(page, "olga")
    choose_language(page, language)
    for width in range(1200, 1401, 40):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/reports/")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1, (language, width)
        box = page.locator("#nav-notifications").bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= width, (language, width, box)
