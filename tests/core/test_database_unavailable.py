"""While the database cannot be reached (PostgreSQL restarted, failed over), every request is answered 503 with
Retry-After and a translated message saying nothing was saved: a standalone page on the web, the API's error JSON
on /api/, never a 500 traceback. The real restart is tests/test_database_restart.py; here the error is simulated,
where it really happens: in the middle of a save (the view) and while reading the session (a middleware)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from reviews import services
from reviews.models import Report
from tests.reviews.test_web import edit_payload

MESSAGES = {
    "fr": "La base de données est momentanément injoignable",
    "ar": "تعذّر الوصول إلى قاعدة البيانات مؤقتًا",
    "en": "The database cannot be reached for a moment. Nothing was saved",
}


@pytest.fixture
def dropped_mid_save(monkeypatch):
    """report_update writes the new summary, then the connection drops: nothing of it may stay."""
    real = services.report_update

    def write_then_fail(**kwargs):
        real(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "report_update", write_then_fail)


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_a_save_when_the_database_drops_is_a_503_page_saying_nothing_was_saved(
    client, report_a, bob, dropped_mid_save, language
):
    client.force_login(bob)
    response = client.post(
        reverse("reviews:report_edit", args=[report_a.pk]),
        edit_payload(report_a, summary="Perdu"),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30" and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert MESSAGES[language] in page and "data-database-unavailable" in page
    assert f'lang="{language}"' in page and ('dir="rtl"' in page) == (language == "ar")
    assert "Traceback" not in page and "OperationalError" not in page
    report = Report.objects.get(pk=report_a.pk)
    assert report.summary != "Perdu" and report.version == report_a.version  # the request's transaction rolled back


def test_an_api_save_when_the_database_drops_is_the_api_error_json(api, report_a, bob, dropped_mid_save):
    api.force_authenticate(bob)
    response = api.patch(
        f"/api/v1/reports/{report_a.pk}/",
        {"version": report_a.version, "summary": "Perdu"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"] == {}
    assert body["detail"].startswith(MESSAGES["fr"]) and "enregistré" in body["detail"]
    assert Report.objects.get(pk=report_a.pk).summary != "Perdu"


def test_the_page_background_save_gets_json_it_can_show(client, report_a, bob, dropped_mid_save):
    client.force_login(bob)
    response = client.post(
        reverse("reviews:report_edit", args=[report_a.pk]),
        edit_payload(report_a),
        HTTP_X_AUTOSAVE="1",
        HTTP_ACCEPT="application/json",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == 503 and response.json()["detail"].startswith(MESSAGES["ar"])


def test_the_session_unreadable_before_any_view_is_a_503_too(report_a, bob, monkeypatch):
    """The first query of a request is often the session's, in a middleware: Django has already made it a 500
    when it comes back up the chain; the middleware makes it the same 503."""
    client = Client(raise_request_exception=False)
    client.force_login(bob)

    def unreachable(self):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(SessionStore, "load", unreachable)
    page = client.get(reverse("reviews:report_detail", args=[report_a.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 503 and MESSAGES["en"] in page.content.decode()
    api = client.get("/api/v1/reports/", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 503 and api.json()["detail"].startswith(MESSAGES["en"])


def test_other_errors_stay_errors(client, report_a, bob, monkeypatch):
    """Only the database's errors are a 503: a bug stays a 500, reported as such."""
    client = Client(raise_request_exception=False)
    client.force_login(bob)

    def bug(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "report_update", bug)
    response = client.post(reverse("reviews:report_edit", args=[report_a.pk]), edit_payload(report_a))
    assert response.status_code == 500 and not response.has_header("Retry-After")


def test_the_log_says_database_unreachable_in_one_line_not_a_traceback(report_a, bob, monkeypatch, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(bob)

    def unreachable(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(SessionStore, "load", unreachable)
    with caplog.at_level("WARNING", logger="django.request"):
        assert client.get(reverse("reviews:report_list")).status_code == 503
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.levelname == "WARNING" and not r.exc_info for r in records)
    assert "Database unreachable, answered 503: GET /reports/: connection to server" in records[0].getMessage()
