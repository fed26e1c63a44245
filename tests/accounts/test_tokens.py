"""API tokens expire, are listed and revoked by their owner and by administrators, die with a password
change or a deactivation, and demo tokens are refused whenever demo logins are (django-rest-knox)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from knox.models import AuthToken

from accounts import services
from core.errors import NotAllowed
from directorates.models import User
from tests.accounts.conftest import totp_code

PASSWORD = "secret-pass-123"


def get_token(api, username, **extra):
    response = api.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(api, secret):
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


def test_the_token_ttl_is_documented_and_bounded():
    assert datetime.timedelta(0) < settings.REST_KNOX["TOKEN_TTL"] <= datetime.timedelta(hours=24)


def test_a_token_expires(api, bob):
    with time_machine.travel("2026-01-05 09:00 +00:00", tick=False) as traveller:
        issued = get_token(api, "bob")
        assert issued["expiry"].startswith("2026-01-05T17:00")  # 8 hours
        with_token(api, issued["token"])
        assert api.get("/api/v1/directorates/").status_code == 200
        traveller.shift(datetime.timedelta(hours=8, minutes=1))
        assert api.get("/api/v1/directorates/").status_code == 401


def test_only_a_digest_of_the_token_is_stored(api, bob):
    secret = get_token(api, "bob")["token"]
    stored = AuthToken.objects.get(user=bob)
    assert secret not in (stored.digest, stored.token_key) and len(stored.digest) == 128


def test_delete_revokes_the_current_token(api, bob):
    first, second = get_token(api, "bob"), get_token(api, "bob")
    assert with_token(api, first["token"]).delete("/api/v1/auth/token/").status_code == 204
    assert api.get("/api/v1/directorates/").status_code == 401
    assert with_token(api, second["token"]).get("/api/v1/directorates/").status_code == 200


def test_the_owner_lists_and_revokes_their_tokens(api, bob, alice):
    first, second = get_token(api, "bob"), get_token(api, "bob")
    alices = get_token(api, "alice")
    rows = with_token(api, first["token"]).get("/api/v1/auth/tokens/").json()
    assert {row["id"] for row in rows} == {first["id"], second["id"]}
    assert [row["current"] for row in rows if row["id"] == first["id"]] == [True]
    assert all(first["token"][:10] not in row["id"] for row in rows)
    # Another person's token is not found; one's own is revoked.
    assert api.delete(f"/api/v1/auth/tokens/{alices['id']}/").status_code == 404
    assert api.delete(f"/api/v1/auth/tokens/{second['id']}/").status_code == 204
    assert with_token(api, second["token"]).get("/api/v1/directorates/").status_code == 401
    assert with_token(api, alices["token"]).get("/api/v1/directorates/").status_code == 200


def test_the_security_page_lists_and_revokes_tokens(client, api, bob):
    issued = get_token(api, "bob")
    client.force_login(bob)
    page = client.get(reverse("accounts:security")).content.decode()
    assert issued["id"] in page and issued["token"] not in page
    response = client.post(reverse("accounts:token_revoke"), {"token": issued["id"]}, follow=True)
    assert response.status_code == 200
    assert not AuthToken.objects.filter(user=bob).exists()
    # Bad input is a message, never an error page.
    assert client.post(reverse("accounts:token_revoke"), {"token": "%00"}).status_code == 302


def test_administrators_revoke_any_token(client, api, bob, root):
    get_token(api, "bob")
    token = AuthToken.objects.get(user=bob)
    client.force_login(root)
    assert client.get(reverse("admin:knox_authtoken_changelist")).status_code == 200
    response = client.post(reverse("admin:knox_authtoken_delete", args=[token.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=bob).exists()


def test_revoking_someone_elses_token_is_refused_to_others(bob, alice, root):
    token, _secret = services.token_issue(user=bob)
    with pytest.raises(NotAllowed):
        services.token_revoke(actor=alice, token=token)
    services.token_revoke(actor=root, token=token)
    assert not AuthToken.objects.exists()


def test_a_password_change_revokes_every_token(api, bob):
    secret = get_token(api, "bob")["token"]
    bob.set_password("another-pass-456")
    bob.save()
    assert with_token(api, secret).get("/api/v1/directorates/").status_code == 401


def test_a_password_change_on_the_web_revokes_every_token(client, api, bob, root):
    secret = get_token(api, "bob")["token"]
    client.force_login(root)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[bob.pk]),
        {"password1": "Another-pass-456", "password2": "Another-pass-456", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert with_token(api, secret).get("/api/v1/directorates/").status_code == 401


def test_deactivation_revokes_every_token(api, bob):
    secret = get_token(api, "bob")["token"]
    bob.is_active = False
    bob.save()
    assert not AuthToken.objects.filter(user=bob).exists()
    assert with_token(api, secret).get("/api/v1/directorates/").status_code == 401


def test_a_demo_token_is_refused_when_demo_logins_are(api, db, settings):
    settings.DEMO_LOGINS_ENABLED = True
    User.objects.create_user(username="head.x", password=PASSWORD, is_demo=True)
    secret = get_token(api, "head.x")["token"]
    assert with_token(api, secret).get("/api/v1/directorates/").status_code == 200
    settings.DEMO_LOGINS_ENABLED = False
    response = api.get("/api/v1/directorates/")
    assert response.status_code == 401 and "démonstration" in response.json()["detail"]
    api.credentials()
    refused = api.post("/api/v1/auth/token/", {"username": "head.x", "password": PASSWORD}, format="json")
    assert refused.status_code == 400


def test_at_most_ten_live_tokens_per_person(api, bob):
    for _ in range(settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]):
        get_token(api, "bob")
    response = api.post("/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json")
    assert response.status_code == 403 and "révoquez" in response.json()["detail"]


def test_a_token_for_the_dgs_office_needs_a_one_time_code(api, olga, olga_authenticator, second_factor_on):
    response = api.post("/api/v1/auth/token/", {"username": "olga", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "otp_token" in response.json()["errors"]
    response = api.post(
        "/api/v1/auth/token/", {"username": "olga", "password": PASSWORD, "otp_token": "000000"}, format="json"
    )
    assert response.status_code == 400
    # django-otp makes each wrong code wait longer before the next try: forget this one's wait.
    olga_authenticator.refresh_from_db()
    olga_authenticator.throttle_reset()
    secret = get_token(api, "olga", otp_token=totp_code(olga_authenticator))["token"]
    assert with_token(api, secret).get("/api/v1/reports/").status_code == 200


def test_without_an_authenticator_the_dgs_office_gets_no_token(api, olga, second_factor_on):
    response = api.post("/api/v1/auth/token/", {"username": "olga", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "otp_token" in response.json()["errors"]
