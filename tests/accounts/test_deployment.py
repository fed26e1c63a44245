"""The documented production environment passes Django's deployment checks; HTTPS is enforced; the
proxy is believed only when configured; a Content-Security-Policy allows no inline script and no
outside source."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

# The production environment of README.md's deployment section (with made-up values).
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "q8#v1!zK0pLr7@wT5mX2%nB9^cY4&hJ6*dF3(sG8)aE1_uI0-oP7+lQ5=kR2~jV9",
    "DJANGO_ALLOWED_HOSTS": "bilan.dgsn.local",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://bilan.dgsn.local",
    "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run([sys.executable, "manage.py", *args], env=clean, capture_output=True, text=True, cwd=ROOT)


def test_check_deploy_passes_with_the_documented_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_https_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_HSTS_SECONDS": "0"},
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_the_readme_documents_the_production_environment():
    readme = (ROOT / "README.md").read_text()
    for variable in PRODUCTION_ENV:
        assert variable in readme
    assert "check --deploy --fail-level WARNING" in readme


def test_a_password_over_plain_http_is_redirected_to_https(client, bob, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.post(reverse("login"), {"username": "bob", "password": "secret-pass-123"})
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert "_auth_user_id" not in client.session


def test_https_answers_carry_hsts(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_x_forwarded_proto_is_ignored_unless_a_trusted_proxy_sends_it(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    spoofed = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.9")
    assert spoofed.status_code == 301
    proxied = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="127.0.0.1")
    assert proxied.status_code == 200


def test_the_proxy_header_is_configured_only_with_a_trusted_proxy():
    code = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    base = {
        "DJANGO_SECRET_KEY": PRODUCTION_ENV["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "x",
        "REDIS_URL": PRODUCTION_ENV["REDIS_URL"],
    }
    for env, expected in (
        (base, "None"),
        ({**base, "DJANGO_TRUSTED_PROXIES": "127.0.0.1"}, "('HTTP_X_FORWARDED_PROTO', 'https')"),
    ):
        result = run_manage("shell", "--no-imports", "-c", code, env=env)
        assert result.stdout.strip() == expected, result.stderr


def test_the_procfile_binds_the_loopback_behind_the_proxy():
    procfile = (ROOT / "Procfile").read_text()
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    assert "127.0.0.1:8000" in web and "0.0.0.0" not in web


def test_pages_carry_a_strict_content_security_policy(client, bob):
    client.force_login(bob)
    policy = client.get(reverse("reviews:report_list"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "http" not in policy


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def page_templates():
    for path in (ROOT / "templates").rglob("*.html"):
        # E-mails are not pages: mail readers need their inline styles, and run no script.
        if "email" not in path.parts and path.name != "bilan_pdf.html":
            yield path


def test_no_template_has_inline_script_or_style():
    problems = []
    for path in page_templates():
        text = path.read_text()
        for attributes in SCRIPT_TAG.findall(text):
            # A script runs only from a file; JSON data blocks (json_script) are not run.
            if "src=" not in attributes and "application/json" not in attributes:
                problems.append(f"{path.relative_to(ROOT)}: inline <script>")
        if INLINE_HANDLER.search(text):
            problems.append(f"{path.relative_to(ROOT)}: inline event handler")
        if "javascript:" in text:
            problems.append(f"{path.relative_to(ROOT)}: javascript: link")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            problems.append(f"{path.relative_to(ROOT)}: inline style")
    assert problems == []


def test_the_json_script_blocks_carry_their_type(client):
    from django.utils.html import json_script

    assert 'type="application/json"' in json_script({"a": 1}, "x")
