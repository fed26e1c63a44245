"""The REST API obeys the same rules and permissions as the web pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews.models import Report
from tests.factories import DeliverableFactory
from tests.helpers import assert_constant_queries, grow_units

PDF = b"%PDF-1.4\n%%EOF\n"


def login(api, user):
    api.force_authenticate(user)
    return api


def test_token_login_then_token_auth(api, bob):
    response = api.post("/api/v1/auth/token/", {"username": "bob", "password": "secret-pass-123"}, format="json")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/reports/").status_code == 200


def test_wrong_password_is_a_clear_json_error(api, bob):
    response = api.post("/api/v1/auth/token/", {"username": "bob", "password": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and "non_field_errors" in body["errors"]


def test_anonymous_is_refused(api, report_a):
    assert api.get("/api/v1/reports/").status_code == 401


def test_report_fields_follow_the_contract(api, report_a, bob):
    data = login(api, bob).get(f"/api/v1/reports/{report_a.pk}/").json()
    for field in ("directorate", "year", "state", "late", "summary", "outcomes", "achievements", "constraints"):
        assert field in data
    assert data["directorate"] == "SP-A" and data["year"] == 2022 and data["state"] == "draft"
    assert len(data["outcomes"]) == 2


def test_create_patch_submit_accept_through_the_api(api, cycle, deliverables, bob, alice, olga, frozen):
    created = login(api, bob).post("/api/v1/reports/", {"directorate": "SP-A", "year": 2022}, format="json")
    assert created.status_code == 201
    report = created.json()
    patch = {
        "version": report["version"],
        "summary": "Bilan API",
        "outcomes": [
            {"deliverable": o["deliverable"], "status": "partial", "percent_done": 40, "comment": "en cours"}
            for o in report["outcomes"]
        ],
        "achievements": [{"title": "Opération réussie"}],
        "constraints": [{"category": "equipment", "description": "Véhicules vétustes", "needs_action": True}],
    }
    response = api.patch(f"/api/v1/reports/{report['id']}/", patch, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["achievements"][0]["title"] == "Opération réussie"
    assert api.post(f"/api/v1/reports/{report['id']}/submit/").status_code == 403
    login(api, alice)
    assert api.post(f"/api/v1/reports/{report['id']}/submit/").json()["state"] == "submitted"
    login(api, olga)
    accepted = api.post(f"/api/v1/reports/{report['id']}/accept/", {"comment": "ok"}, format="json")
    assert accepted.json()["state"] == "accepted"


def test_forbidden_transition_is_409_with_the_reason(api, filled_report, olga):
    response = login(api, olga).post(f"/api/v1/reports/{filled_report.pk}/accept/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "cannot be accepted" in response.json()["detail"]


def test_errors_are_in_french_by_default_and_in_arabic_on_request(api, filled_report, olga):
    login(api, olga)
    french = api.post(f"/api/v1/reports/{filled_report.pk}/accept/").json()["detail"]
    arabic = api.post(f"/api/v1/reports/{filled_report.pk}/accept/", HTTP_ACCEPT_LANGUAGE="ar").json()["detail"]
    assert "accepté" in french
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic)


def test_return_without_comment_is_400_with_field(api, submitted_report, olga):
    response = login(api, olga).post(f"/api/v1/reports/{submitted_report.pk}/return/", {}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()["errors"]


def test_invalid_patch_reports_every_field_and_saves_nothing(api, report_a, bob):
    outcomes = [{"deliverable": o.deliverable_id, "status": "partial"} for o in report_a.outcomes.all()]
    response = login(api, bob).patch(
        f"/api/v1/reports/{report_a.pk}/",
        {"version": report_a.version, "summary": "x", "outcomes": outcomes},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["outcomes"]
    assert len(errors) == 2 and all("percent_done" in e for e in errors.values())
    assert Report.objects.get(pk=report_a.pk).summary == ""


def test_bad_status_value_is_a_field_error(api, report_a, bob):
    outcome = report_a.outcomes.first()
    response = login(api, bob).patch(
        f"/api/v1/reports/{report_a.pk}/",
        {"outcomes": [{"deliverable": outcome.deliverable_id, "status": "maybe"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "outcomes" in response.json()["errors"]


def test_stale_version_is_409(api, report_a, bob):
    login(api, bob).patch(f"/api/v1/reports/{report_a.pk}/", {"summary": "a", "version": 1}, format="json")
    response = api.patch(f"/api/v1/reports/{report_a.pk}/", {"summary": "b", "version": 1}, format="json")
    assert response.status_code == 409
    assert Report.objects.get(pk=report_a.pk).summary == "a"


@pytest.mark.parametrize(
    "method,suffix", [("get", ""), ("patch", ""), ("post", "submit/"), ("post", "accept/"), ("post", "attachments/")]
)
def test_other_units_report_is_404_to_unit_people(api, report_a, charlie, method, suffix):
    response = getattr(login(api, charlie), method)(f"/api/v1/reports/{report_a.pk}/{suffix}", {}, format="json")
    assert response.status_code == 404


def test_unit_people_list_only_their_reports(api, cycle, report_a, charlie, unit_b, bob):
    from reviews import services

    services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
    assert [r["directorate"] for r in login(api, bob).get("/api/v1/reports/").json()["results"]] == ["SP-A"]
    assert [r["directorate"] for r in login(api, charlie).get("/api/v1/reports/").json()["results"]] == ["WS-B"]


def test_cannot_create_another_units_report(api, cycle, charlie, unit_a):
    response = login(api, charlie).post("/api/v1/reports/", {"directorate": "SP-A", "year": 2022}, format="json")
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_deliverables_are_scoped_and_filtered(api, deliverables, charlie, bob, unit_b):
    DeliverableFactory(directorate=unit_b, title="Autre unité")
    DeliverableFactory(directorate=deliverables[0].directorate, year=2023, title="Année suivante")
    titles = [
        d["title"] for d in login(api, bob).get("/api/v1/deliverables/?year=2022&directorate=SP-A").json()["results"]
    ]
    assert sorted(titles) == sorted(d.title for d in deliverables)
    assert login(api, charlie).get("/api/v1/deliverables/?directorate=SP-A").json()["results"] == []
    assert login(api, charlie).get(f"/api/v1/deliverables/{deliverables[0].pk}/").status_code == 404


def test_head_adds_a_deliverable_but_not_once_submitted(api, submitted_report, alice, frozen):
    response = login(api, alice).post(
        "/api/v1/deliverables/",
        {"directorate": "SP-A", "year": 2022, "title": "Nouveau", "category": "training", "due_date": "2022-10-01"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "can no longer change" in response.json()["detail"]


def test_deliverable_due_date_outside_the_year_is_a_field_error(api, unit_a, alice):
    response = login(api, alice).post(
        "/api/v1/deliverables/",
        {"directorate": "SP-A", "year": 2022, "title": "Hors année", "category": "training", "due_date": "2023-01-15"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_date" in response.json()["errors"]


def test_directorates_and_cycles_endpoints(api, cycle, unit_a, bob, olga):
    assert [d["code"] for d in login(api, bob).get("/api/v1/directorates/").json()["results"]] == ["SP-A"]
    codes = {d["code"] for d in login(api, olga).get("/api/v1/directorates/").json()["results"]}
    assert {"SP-A", "WS-R"} <= codes
    unit = api.get("/api/v1/directorates/SP-A/").json()
    assert unit["parent"] == "WS-R" and unit["kind"] == "provincial_security"
    cycles = api.get("/api/v1/cycles/").json()["results"]
    assert cycles[0] == {
        "year": 2022,
        "submission_deadline": "2022-12-09",
        "meeting_date": "2022-12-22",
        "state": "open",
        "closed_at": None,
    }


def test_attachment_upload_and_download_by_api(api, report_a, bob, charlie):
    deliverable = report_a.outcomes.first().deliverable_id
    upload = SimpleUploadedFile("preuve.pdf", PDF, content_type="application/pdf")
    response = login(api, bob).post(
        f"/api/v1/reports/{report_a.pk}/attachments/", {"deliverable": deliverable, "file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    attachment_id = response.json()["id"]
    download = api.get(f"/api/v1/attachments/{attachment_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert login(api, charlie).get(f"/api/v1/attachments/{attachment_id}/").status_code == 404


def test_attachment_with_a_forbidden_type_is_400(api, report_a, bob):
    deliverable = report_a.outcomes.first().deliverable_id
    upload = SimpleUploadedFile("script.sh", b"#!/bin/sh\nrm -rf /\n")
    response = login(api, bob).post(
        f"/api/v1/reports/{report_a.pk}/attachments/", {"deliverable": deliverable, "file": upload}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()["errors"]


def test_schema_and_docs_are_behind_login(client, bob):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")


def test_schema_and_docs_are_served_locally(client, bob):
    client.force_login(bob)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/reports/{id}/submit/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html or "/static/" in html
    assert "cdn." not in html and "https://" not in html.replace("https://swagger.io", "")
    # Swagger UI's start-up script is a file of its own (Content-Security-Policy: no inline script).
    assert "<script>" not in html
    assert client.get("/api/docs/?script").status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/reports/", "/api/v1/deliverables/", "/api/v1/directorates/", "/api/v1/cycles/"]
)
def test_list_endpoints_keep_a_constant_number_of_queries(api, cycle, olga, django_assert_num_queries, url):
    login(api, olga)
    grow_units(cycle, 3, with_parts=True)
    assert_constant_queries(
        django_assert_num_queries, lambda: api.get(url), lambda: grow_units(cycle, 10, with_parts=True)
    )


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/reports/{id}/return/" in target.read_text()


def test_report_list_rows_are_exactly_what_the_report_serializer_gives(
    api, cycle, report_a, alice, bob, olga, unit_b, charlie, frozen
):
    """The list's lean rows (ReportListRows) match ReportSerializer field by field, nested parts included."""
    from rest_framework.test import APIRequestFactory

    from reviews import services
    from reviews.api import ReportSerializer
    from reviews.selectors import report_detail_queryset
    from tests.conftest import fill

    services.report_update(
        actor=bob,
        report=report_a,
        summary="Résumé",
        achievements=[{"title": "a", "description": "d"}],
        constraints=[{"category": "budget", "description": "c", "needs_action": True}],
    )
    services.report_submit(actor=alice, report=fill(report_a, bob))
    deliverable = report_a.outcomes.first().deliverable_id
    services.report_return(
        actor=olga,
        report=report_a,
        comment="À revoir",
        items=[
            {"kind": "outcome", "id": deliverable, "comment": "Preuve"},
            {"kind": "achievement", "id": report_a.achievements.get().pk, "comment": "Préciser"},
        ],
    )
    services.review_item_comment(actor=bob, item=report_a.review_items.first(), text="Jointe")
    upload = SimpleUploadedFile("preuve.pdf", PDF, content_type="application/pdf")
    assert (
        login(api, bob)
        .post(
            f"/api/v1/reports/{report_a.pk}/attachments/",
            {"deliverable": deliverable, "file": upload},
            format="multipart",
        )
        .status_code
        == 201
    )
    services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
    listed = login(api, olga).get("/api/v1/reports/").json()["results"]
    request = APIRequestFactory().get("/api/v1/reports/")
    expected = ReportSerializer(report_detail_queryset(user=olga), many=True, context={"request": request}).data
    assert len(listed) == 2
    assert listed == [dict(row) for row in expected]
