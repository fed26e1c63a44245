"""Chromium opens the main pages for every role, in French and Arabic, with a whole year of data:
no JavaScript error in the console, no request to any host but the server, no server error.

The HTTP matrix of every URL is tests/ux/test_crawler.py (Django's test client, much faster)."""

import pytest

from tests.browser_support import log_in
from tests.ux.test_crawler import frozen_2023, world  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["bob", "alice", "charlie", "olga", "dino"]


def main_pages(w):
    a, b = w.reports["own"], w.reports["other"]
    return [
        "/",
        "/reports/",
        f"/reports/{a.pk}/",
        f"/reports/{a.pk}/edit/",
        f"/reports/{b.pk}/",
        f"/reports/{a.pk}/history/",
        f"/reports/{a.pk}/figures/",
        "/cycles/2022/",
        f"/units/{w.units['own'].code}/deliverables/2022/",
        "/roadmap/2023/",
        f"/objectives/{w.objectives['own'].pk}/",
        f"/objectives/{w.objectives['own'].pk}/edit/",
        "/meetings/2022/",
        "/priorities/2022/",
        "/figures/",
        "/bilan/2022/",
        "/imports/",
        f"/imports/{w.imports['own'].pk}/",
        "/notifications/",
    ]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_main_pages_have_no_console_error_and_load_nothing_from_outside(page, world, language):  # noqa: F811
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if message.type == "error" and "403" not in message.text and "404" not in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    statuses = []
    for role in ROLES:
        log_in(page, role)
        origin = page.evaluate("location.origin")
        page.context.add_cookies([{"name": "django_language", "value": language, "url": origin + "/"}])
        for url in main_pages(world):
            response = page.goto(url)
            statuses.append(response.status)
            assert response.status < 500, (role, language, url, response.status)
            if response.status == 200:
                assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    assert errors == []
    assert page.external_requests == []
    assert statuses.count(200) > len(ROLES) * 5
