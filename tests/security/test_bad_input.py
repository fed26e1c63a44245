"""Unchecked input answers 400 (or 404 for a path that names nothing), never 500 (issue 10, point 4).

Every case below answered 500 before every list filter became a declared FilterSet, every body a
serializer or form, and every year in a path a bounded converter.
"""

import json

import pytest
from django.test import Client

from reviews.models import Report
from roadmap.models import Objective

pytestmark = pytest.mark.django_db

BAD_YEARS = ["abc", "-1", "99999999999999999999", "1e3", "2022.5", "\x00"]


@pytest.fixture
def web(olga):
    client = Client(raise_request_exception=False)
    client.force_login(olga)
    return client


@pytest.fixture
def editor_web(bob):
    client = Client(raise_request_exception=False)
    client.force_login(bob)
    return client


@pytest.fixture
def api_as(api):
    api.raise_request_exception = False

    def login(user):
        api.force_authenticate(user)
        return api

    return login


def _is_api_error(response, field=None):
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    if field:
        assert field in body["errors"], body


@pytest.mark.parametrize("value", BAD_YEARS)
@pytest.mark.parametrize(
    "path",
    ["/api/v1/reports/", "/api/v1/priorities/", "/api/v1/figures/", "/api/v1/objectives/", "/api/v1/deliverables/"],
)
def test_a_bad_year_filter_is_a_400_in_the_api(api_as, olga, cycle, path, value):
    response = api_as(olga).get(path, {"year": value})
    assert response.status_code == 400, (path, value, response.content[:300])
    _is_api_error(response, "year")


@pytest.mark.parametrize("value", BAD_YEARS)
def test_a_bad_cycle_filter_is_a_400_on_the_delivery_log(api_as, olga, cycle, value):
    response = api_as(olga).get("/api/v1/deliveries/", {"cycle": value})
    assert response.status_code == 400, response.content[:300]
    _is_api_error(response, "cycle")


@pytest.mark.parametrize(
    "path,param",
    [
        ("/api/v1/objectives/", "owner"),
        ("/api/v1/objectives/", "priority"),
        ("/api/v1/objectives/", "status"),
        ("/api/v1/objectives/", "source"),
        ("/api/v1/objectives/", "state"),
        ("/api/v1/reports/", "directorate"),
        ("/api/v1/reports/", "state"),
        ("/api/v1/figures/", "directorate"),
        ("/api/v1/figures/", "indicator"),
        ("/api/v1/deliveries/", "state"),
        ("/api/v1/deliveries/", "kind"),
        ("/api/v1/deliverables/", "directorate"),
        ("/api/v1/directorates/", "kind"),
        ("/api/v1/indicators/", "domain"),
    ],
)
def test_a_nul_byte_in_a_filter_is_a_400(api_as, olga, cycle, path, param):
    response = api_as(olga).get(path, {param: "a\x00b"})
    assert response.status_code == 400, (path, param, response.content[:300])
    _is_api_error(response, param)


@pytest.mark.parametrize("value", BAD_YEARS)
@pytest.mark.parametrize("path", ["/reports/", "/figures/", "/units/SP-A/figures/"])
def test_a_bad_year_filter_is_a_400_page_on_the_web(web, editor_web, cycle, report_a, path, value):
    for client in (web, editor_web):
        response = client.get(path, {"year": value})
        assert response.status_code == 400, (path, value, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/roadmap/2023/?owner=%00",
        "/roadmap/2023/?as_of=notadate",
        "/notifications/cycles/2022/?state=%00",
        "/notifications/cycles/2022/?kind=nope",
        "/figures/?indicator=%00",
        "/figures/?domain=nope",
        "/cycles/2022/?kind=%00",
    ],
)
def test_bad_filters_on_web_pages_are_400(web, approved, path):
    assert web.get(path).status_code == 400, path


@pytest.mark.parametrize(
    "path",
    [
        "/bilan/99999999999999999999/",
        "/roadmap/99999999999999999999/",
        "/cycles/99999999999999999999/",
        "/priorities/99999999999999999999/",
        "/meetings/99999999999999999999/",
        "/bilan/-1/",
        "/units/SP-A/figures/99999999999999999999/",
        "/units/SP-A/deliverables/99999999999999999999/",
        "/notifications/cycles/99999999999999999999/",
        "/reports/99999999999999999999/",
        "/objectives/99999999999999999999/",
        "/api/v1/cycles/99999999999999999999/",
        "/api/v1/cycles/abc/",
        "/api/v1/reports/99999999999999999999/",
        "/api/v1/roadmaps/99999/",
        "/api/v1/bilan/99999/",
    ],
)
def test_out_of_range_numbers_in_paths_are_404(web, cycle, path):
    assert web.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "path", ["/bilan/99999999999999999999/start/", "/bilan/1/start/", "/units/SP-A/reports/99999999999999999999/start/"]
)
def test_out_of_range_years_in_action_paths_are_404(web, cycle, unit_a, path):
    assert web.post(path).status_code == 404, path


def test_a_non_numeric_agenda_item_or_attendee_is_refused(web, editor_web, accepted_report, olga):
    web.post("/meetings/2022/build/")
    for client in (web, editor_web):
        for data in ({"item": "abc", "direction": "up"}, {"item": "99999999999999999999", "direction": "up"}):
            assert client.post("/meetings/2022/move/", data).status_code in (302, 400, 403, 404)
        response = client.post("/meetings/2022/attendance/", {"present": ["abc", "1"]})
        assert response.status_code in (302, 400, 403), response.status_code


def test_a_non_numeric_priority_to_edit_is_404(web, priorities):
    assert web.get("/priorities/2022/", {"edit": "abc"}).status_code in (400, 404)
    assert web.post("/priorities/2022/", {"id": "abc", "code": "P9", "title_fr": "x"}).status_code in (400, 404)


def test_wrong_json_types_in_bodies_are_400(api_as, olga, approved):
    api = api_as(olga)
    objective = Objective.objects.filter(roadmap=approved).first()
    for url, body in [
        (f"/api/v1/objectives/{objective.pk}/drop/", {"reason": ["x"]}),
        (f"/api/v1/objectives/{objective.pk}/merge/", {"objectives": "P1"}),
        (f"/api/v1/objectives/{objective.pk}/merge/", {"objectives": [{"a": 1}]}),
        (f"/api/v1/objectives/{objective.pk}/split/", {"titles": "one"}),
        ("/api/v1/figures/bulk/", []),
        ("/api/v1/figures/bulk/", {"rows": "x"}),
        ("/api/v1/notifications/read/", {"ids": ["x"]}),
        ("/api/v1/notifications/read/", {"ids": "x"}),
        ("/api/v1/roadmaps/2023/new-version/", []),
        ("/api/v1/reports/", []),
    ]:
        response = api.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (url, body, response.status_code, response.content[:300])
        _is_api_error(response)


def test_a_non_numeric_deliverable_on_an_attachment_upload_is_400(api_as, bob, report_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = api_as(bob).post(
        f"/api/v1/reports/{report_a.pk}/attachments/", {"deliverable": "abc", "file": upload}, format="multipart"
    )
    assert response.status_code == 400, response.content[:300]
    _is_api_error(response, "deliverable")


def test_a_json_body_over_the_size_limit_gets_the_api_error_shape(api_as, olga, report_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    report = Report.objects.get(pk=report_a.pk)
    response = api_as(olga).patch(
        f"/api/v1/reports/{report.pk}/",
        json.dumps({"version": report.version, "summary": "x" * 5000}),
        content_type="application/json",
    )
    assert response.status_code in (400, 413), response.status_code
    _is_api_error(response)
