"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), one browser per session."""

import os

import pytest

# Playwright's sync API keeps an event loop running in the test thread; the ORM calls made by
# fixtures and assertions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    external = []
    context.route(
        "**/*",
        lambda route: (
            (external.append(route.request.url), route.abort())
            if not route.request.url.startswith(live_server.url)
            else route.continue_()
        ),
    )
    page = context.new_page()
    # Irreversible actions ask for confirmation (window.confirm): the person in these tests says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    page.external_requests = external
    yield page
    context.close()


def log_in(page, username, password="secret-pass-123"):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
