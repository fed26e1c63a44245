"""Retake the screenshots of this folder from the demo (run after `make messages`, so every string is translated).

    rm -f db.sqlite3 && DJANGO_DEBUG=true .venv/bin/python manage.py migrate -v0 \
        && DJANGO_DEBUG=true .venv/bin/python manage.py load_demo
    DJANGO_DEBUG=true .venv/bin/python manage.py runserver 127.0.0.1:8011 &
    .venv/bin/python docs/screenshots/take_screenshots.py
"""

import os
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DJANGO_DEBUG", "true")
django.setup()
from reviews.models import Report  # noqa: E402  (after django.setup)


def report(code):
    return Report.objects.get(directorate__code=code, cycle__year=2022).pk


BASE = "http://127.0.0.1:8011"
OUT = Path(__file__).resolve().parent
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = [
    ("home", "dg.office", "/"),
    ("dashboard", "dg.office", "/cycles/2022/"),
    ("report-edit", "editor.ws-meknes", f"/reports/{report('WS-MEKNES')}/edit/"),
    ("returned-flags", "head.fm6", f"/reports/{report('FM6')}/"),
    ("roadmap", "dg.office", "/roadmap/2023/"),
    ("bilan", "dg.office", "/bilan/2022/"),
    ("imports", "editor.ws-meknes", "/imports/"),
]
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    for lang in ("fr", "ar"):
        for name, user, url in SHOTS:
            ctx = b.new_context(viewport={"width": 1366, "height": 900}, base_url=BASE, locale=lang)
            ctx.add_cookies([{"name": "django_language", "value": lang, "url": BASE}])
            pg = ctx.new_page()
            pg.goto("/login/")
            pg.fill("#id_username", user)
            pg.fill("#id_password", "demo")
            with pg.expect_navigation():
                pg.click("main button[type=submit]")
            r = pg.goto(url)
            assert r.status == 200, (url, r.status)
            pg.wait_for_timeout(300)
            pg.screenshot(path=f"{OUT}/{name}-{lang}.png")
            ctx.close()
