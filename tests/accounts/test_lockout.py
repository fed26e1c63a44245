"""Password guessing is stopped: 10 failures lock the account and the address for 30 minutes, on the
login page, the admin's login page and the API token endpoint alike (django-axes)."""

import datetime

import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.urls import reverse

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's


def web_login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def admin_login(client, username, password, **extra):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, **extra)


def api_login(api, username, password, **extra):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def test_the_policy_is_at_most_ten_failures_and_at_least_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME >= datetime.timedelta(minutes=30)
    assert set(settings.AXES_LOCKOUT_PARAMETERS) == {"username", "ip_address"}


def test_230_wrong_passwords_then_the_right_one_is_refused(client, bob):
    for _ in range(230):
        web_login(client, "bob", "wrong")
    response = web_login(client, "bob", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_ten_failures_lock_the_account_with_a_clear_message(client, bob):
    for _ in range(9):
        assert web_login(client, "bob", "wrong").status_code == 200
    response = web_login(client, "bob", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert 'id="locked-out"' in page and "30" in page
    assert web_login(client, "bob", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_stays_locked_from_another_address(client, bob):
    for number in range(10):
        web_login(client, "bob", "wrong", REMOTE_ADDR=f"10.0.0.{number + 1}")
    assert web_login(client, "bob", PASSWORD, REMOTE_ADDR="10.0.1.1").status_code == 429


def test_an_address_guessing_many_accounts_is_locked_for_every_account(client, bob, alice):
    for number in range(10):
        web_login(client, f"someone{number}", "wrong", REMOTE_ADDR="10.9.9.9")
    assert web_login(client, "alice", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert web_login(client, "alice", PASSWORD, REMOTE_ADDR="10.9.9.8").status_code == 302


def test_the_lock_lasts_thirty_minutes(client, bob):
    with time_machine.travel("2026-01-05 09:00 +00:00", tick=False) as traveller:
        for _ in range(10):
            web_login(client, "bob", "wrong")
        traveller.shift(datetime.timedelta(minutes=29))
        assert web_login(client, "bob", PASSWORD).status_code == 429
        # A try during the lock starts the 30 minutes again.
        traveller.shift(datetime.timedelta(minutes=29))
        assert web_login(client, "bob", PASSWORD).status_code == 429
        traveller.shift(datetime.timedelta(minutes=31))
        assert web_login(client, "bob", PASSWORD).status_code == 302


def test_the_admin_login_is_locked_too(client, root):
    for _ in range(10):
        admin_login(client, "root", "wrong")
    response = admin_login(client, "root", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_on_one_door_count_on_the_others(client, api, bob):
    for _ in range(4):
        web_login(client, "bob", "wrong")
    for _ in range(3):
        admin_login(client, "bob", "wrong")
    for _ in range(3):
        api_login(api, "bob", "wrong")
    response = api_login(api, "bob", PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert "30" in body["detail"] and body["errors"] == {}
    assert "token" not in body
    assert response["Retry-After"] == "1800"


def test_the_api_token_endpoint_is_locked(api, bob):
    for _ in range(10):
        response = api_login(api, "bob", "wrong")
    assert response.status_code == 429
    assert api_login(api, "bob", PASSWORD).status_code == 429


def test_lockouts_are_logged_and_shown_to_administrators(client, bob, root):
    for _ in range(10):
        web_login(client, "bob", "wrong", REMOTE_ADDR="10.1.2.3")
    attempt = AccessAttempt.objects.get(username="bob")
    assert attempt.failures_since_start == 10 and attempt.ip_address == "10.1.2.3"
    assert AccessFailureLog.objects.filter(username="bob", locked_out=True).exists()
    client.force_login(root)
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "bob" in page and "10.1.2.3" in page
    assert client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(client, bob, settings):
    """A client cannot escape the address lock-out by sending a made-up X-Forwarded-For."""
    for number in range(10):
        web_login(client, f"x{number}", "wrong", REMOTE_ADDR="10.5.5.5", HTTP_X_FORWARDED_FOR=f"10.6.6.{number}")
    assert (
        web_login(client, "bob", PASSWORD, REMOTE_ADDR="10.5.5.5", HTTP_X_FORWARDED_FOR="10.7.7.7").status_code == 429
    )
    # Behind the configured proxy, the client's address is the one the proxy forwards.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert (
        web_login(client, "bob", PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.7.7.7").status_code == 302
    )
    assert AccessAttempt.objects.filter(ip_address="10.7.7.7").count() == 0


def test_the_token_endpoint_is_throttled(api, bob, monkeypatch):
    from accounts.api import TokenThrottle

    monkeypatch.setattr(TokenThrottle, "get_rate", lambda self: "3/min")
    for _ in range(3):
        assert api_login(api, "bob", PASSWORD).status_code == 200
    response = api_login(api, "bob", PASSWORD)
    assert response.status_code == 429
    assert response.json()["errors"] == {} and response["Retry-After"]
