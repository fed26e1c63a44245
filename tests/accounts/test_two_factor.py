"""The DG, the DG's office and administrators log in with a one-time code (TOTP, django-otp) as well as
their password, with recovery codes; the QR code is drawn on the server."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from tests.accounts.conftest import totp_code
from tests.browser_support import log_in

pytestmark = pytest.mark.usefixtures("second_factor_on")


def test_the_second_factor_is_on_unless_the_environment_says_otherwise():
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for env, expected in (({}, "True"), ({"DJANGO_TWO_FACTOR_REQUIRED": "false"}, "False")):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.production'; {code}",
            ],
            env={**base, "DJANGO_DEBUG": "true", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected


@pytest.mark.parametrize("who", ["olga", "dino", "root"])
def test_privileged_people_without_an_authenticator_must_set_one_up(client, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("reviews:report_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_unit_people_are_not_asked_for_a_code(client, bob, alice):
    client.force_login(alice)
    assert client.get(reverse("reviews:report_list")).status_code == 200


def test_setting_up_an_authenticator_shows_a_qr_code_and_recovery_codes(client, olga):
    client.force_login(olga)
    page = client.get(reverse("accounts:two_factor_setup") + "?next=/reports/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'id="totp-secret"' in html
    assert "otpauth://" not in html and "https://" not in html  # nothing fetched, secret only as text
    device = TOTPDevice.objects.get(user=olga, confirmed=False)
    assert client.post(reverse("accounts:two_factor_setup"), {"code": "123456"}).status_code == 200
    response = client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device), "next": "/reports/"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="recovery-codes"' in html
    codes = services.StaticToken.objects.filter(device__user=olga).values_list("token", flat=True)
    assert len(codes) == 10 and all(code in html for code in codes)
    # This session has given its code: the pages open.
    assert client.get(reverse("reviews:report_list")).status_code == 200


def test_a_second_login_asks_for_the_code(client, olga, olga_authenticator):
    client.force_login(olga)
    response = client.get(reverse("reviews:report_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor_verify"))
    # With only the password, the authenticator cannot be replaced.
    assert client.get(reverse("accounts:two_factor_setup"))["Location"].startswith(
        reverse("accounts:two_factor_verify")
    )
    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "000000", "next": "/reports/"})
    assert wrong.status_code == 200 and "invalid-feedback" in wrong.content.decode()
    # django-otp makes each wrong code wait longer before the next try: forget this one's wait.
    olga_authenticator.refresh_from_db()
    olga_authenticator.throttle_reset()
    right = client.post(
        reverse("accounts:two_factor_verify"), {"code": totp_code(olga_authenticator), "next": "/reports/"}
    )
    assert right.status_code == 302 and right["Location"] == "/reports/"
    assert client.get(reverse("reviews:report_list")).status_code == 200


def test_the_code_page_does_not_redirect_elsewhere(client, olga, olga_authenticator):
    client.force_login(olga)
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": totp_code(olga_authenticator), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_recovery_code_works_once(client, olga, olga_authenticator):
    code = olga_authenticator.recovery_codes[0]
    client.force_login(olga)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": code.upper()}, follow=True)
    assert response.status_code == 200 and "9" in response.content.decode()
    client.logout()
    client.force_login(olga)
    again = client.post(reverse("accounts:two_factor_verify"), {"code": code})
    assert again.status_code == 200  # refused: the form again
    assert services.recovery_codes_left(user=olga) == 9


def test_new_recovery_codes_replace_the_old_ones(client, olga, olga_authenticator):
    client.force_login(olga)
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(olga_authenticator)})
    html = client.post(reverse("accounts:recovery_codes")).content.decode()
    assert olga_authenticator.recovery_codes[0] not in html
    assert services.recovery_codes_left(user=olga) == 10


def test_the_api_with_a_session_waits_for_the_code(api, olga, olga_authenticator):
    api.force_login(olga)
    response = api.get("/api/v1/reports/")
    assert response.status_code == 403 and response.json()["errors"] == {}


def test_the_admin_waits_for_the_code(client, root):
    client.force_login(root)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/account/two-factor/" in response["Location"]


def test_the_pages_are_translated(client, olga, olga_authenticator):
    client.force_login(olga)
    for language, phrase in (("fr", "Code à usage unique"), ("ar", "رمز"), ("en", "One-time code")):
        client.cookies["django_language"] = language
        assert phrase in client.get(reverse("accounts:two_factor_verify")).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_logs_in_with_password_then_code(page, olga, olga_authenticator, live_server):
    log_in(page, "olga")
    assert "/account/two-factor/" in page.url
    page.fill("#id_code", totp_code(olga_authenticator))
    with page.expect_navigation():
        page.click("#two-factor-form button[type=submit]")
    assert "/account/two-factor/" not in page.url and "/login/" not in page.url
    assert page.locator("#menu-account").count() == 1
    page.wait_for_load_state("networkidle")  # no request left running (and holding a connection) at the end
    assert page.external_requests == []
