"""Under the Content-Security-Policy, the pages still work and the browser reports no blocked script or
style: every script and style comes from this server, as a file."""

import pytest

from tests.browser_support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/reports/",
    "/units/",
    "/figures/",
    "/bilan/",
    "/roadmap/",
    "/imports/",
    "/account/security/",
    "/api/docs/",
    "/admin/",
    "/admin/directorates/user/",
]


def test_no_page_breaks_the_policy(page, root, report_a):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, "root")
    for url in PAGES:
        response = page.goto(url)
        assert response.status < 400, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=15000)
    assert violations == []
    assert page.external_requests == []


def test_the_language_switch_works_without_inline_handlers(page, bob):
    log_in(page, "bob")
    page.goto("/reports/")
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
