import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directorates.models import Deliverable
from transfers.models import ImportJob

from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload

pytestmark = pytest.mark.django_db


def _upload(client, rows, year=2022, kind="deliverables", headers=DELIVERABLE_HEADERS):
    return client.post(
        reverse("transfers:import_new", args=[kind]), {"file": upload(headers, rows), "year": year or ""}
    )


def test_editor_uploads_previews_and_confirms_through_the_pages(
    client, bob, unit_a, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, [deliverable_row(title="Via the web")])
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("transfers:import_detail", args=[job.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Confirm and apply" in page.content.decode()
    status = client.get(reverse("transfers:import_status", args=[job.pk])).json()
    assert (
        status == {"state": "preview", "state_label": "Preview ready", "progress": 100, "running": False}
        or status["state"] == "preview"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("transfers:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.APPLIED and job.confirmed_by == bob
    assert Deliverable.objects.filter(title="Via the web").exists()
    page = client.get(reverse("transfers:import_detail", args=[job.pk])).content.decode()
    assert "Via the web" in page  # what changed
    original = client.get(reverse("transfers:import_file", args=[job.pk]))
    assert original.status_code == 200 and b"".join(original.streaming_content)[:2] == b"PK"


def test_row_errors_are_listed_on_the_preview_page(client, bob, unit_a, django_capture_on_commit_callbacks):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, [deliverable_row(title="x", target_quantity="lots")])
    page = client.get(reverse("transfers:import_detail", args=[ImportJob.objects.get().pk])).content.decode()
    assert "lots" in page and "not a number" in page and "Confirm and apply" not in page


def test_a_bad_file_shows_a_message_not_a_server_error(client, bob, unit_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(bob)
    response = client.post(
        reverse("transfers:import_new", args=["deliverables"]),
        {"file": SimpleUploadedFile("x.docx", b"hello"), "year": 2022},
    )
    assert response.status_code == 200 and ".xlsx and .csv" in response.content.decode()


def test_editor_must_give_a_year(client, bob, unit_a):
    client.force_login(bob)
    response = _upload(client, [deliverable_row()], year=None)
    assert response.status_code == 200 and not ImportJob.objects.exists()


def test_unit_people_cannot_open_the_units_import(client, alice):
    client.force_login(alice)
    assert client.get(reverse("transfers:import_new", args=["units"])).status_code == 403


def test_viewer_cannot_open_the_deliverables_import(client, victor):
    client.force_login(victor)
    assert client.get(reverse("transfers:import_new", args=["deliverables"])).status_code == 403


def test_nobody_sees_another_persons_import(client, start, alice, bob, charlie, unit_a):
    job = start(alice, "deliverables", upload(DELIVERABLE_HEADERS, [deliverable_row()]))
    client.force_login(charlie)
    for name in ("import_detail", "import_status", "import_file"):
        assert client.get(reverse(f"transfers:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("transfers:import_confirm", args=[job.pk])).status_code == 404


def test_import_list_runs_constant_queries(client, start, olga, unit_a):
    client.force_login(olga)
    counts = []
    for n in (1, 6):
        for i in range(n):
            start(olga, "deliverables", upload(DELIVERABLE_HEADERS, [deliverable_row(title=f"t{n}{i}")]))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("transfers:import_list"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_import_detail_runs_constant_queries(client, import_deliverables, olga, unit_a):
    client.force_login(olga)
    counts = []
    for n in (2, 40):
        job = import_deliverables(olga, [deliverable_row(title=f"d{n}-{i}") for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("transfers:import_detail", args=[job.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_running_import_shows_a_progress_bar_and_polls(client, olga):
    from django.utils import timezone

    job = ImportJob.objects.create(
        kind="deliverables",
        created_by=olga,
        created_at=timezone.now(),
        original_name="a.xlsx",
        file_format="xlsx",
        size=1,
        file="imports/a.xlsx",
    )
    client.force_login(olga)
    page = client.get(reverse("transfers:import_detail", args=[job.pk])).content.decode()
    assert 'id="job-progress"' in page and "status.json" in page
    assert client.get(reverse("transfers:import_status", args=[job.pk])).json()["running"] is True


def test_admin_lists_imports(client, root, start, unit_a):
    start(root, "deliverables", upload(DELIVERABLE_HEADERS, [deliverable_row()]))
    client.force_login(root)
    assert client.get(reverse("admin:transfers_importjob_changelist")).status_code == 200
    assert client.get(reverse("admin:directorates_deliverable_import")).status_code == 200


def test_administrator_imports_deliverables_in_the_admin_with_the_same_rules(client, root, unit_a):
    from import_export.formats.base_formats import CSV

    from transfers.admin import DeliverableImportAdmin

    client.force_login(root)
    formats = DeliverableImportAdmin(Deliverable, None).get_import_formats()
    csv_index = str(next(i for i, f in enumerate(formats) if f is CSV or issubclass(f, CSV)))
    url = reverse("admin:directorates_deliverable_import")
    bad = client.post(
        url,
        {
            "resource": "0",
            "format": csv_index,
            "import_file": upload(DELIVERABLE_HEADERS, [deliverable_row(title="x", target_quantity="lots")], fmt="csv"),
        },
    )
    assert bad.status_code == 200 and "not a number" in bad.content.decode()
    good = client.post(
        url,
        {
            "resource": "0",
            "format": csv_index,
            "import_file": upload(DELIVERABLE_HEADERS, [deliverable_row(title="from the admin")], fmt="csv"),
        },
    )
    confirm_form = good.context["confirm_form"]
    response = client.post(reverse("admin:directorates_deliverable_process_import"), {**confirm_form.initial})
    assert response.status_code == 302
    created = Deliverable.objects.get(title="from the admin")
    assert created.history.get().history_user == root


def test_the_admin_refuses_a_zip_bomb_too(client, root):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from transfers.admin import DeliverableImportAdmin, SafeXLSX

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (20 * 1024 * 1024))
    formats = DeliverableImportAdmin(Deliverable, None).get_import_formats()
    client.force_login(root)
    response = client.post(
        reverse("admin:directorates_deliverable_import"),
        {
            "resource": "0",
            "format": str(formats.index(SafeXLSX)),
            "import_file": SimpleUploadedFile("bomb.xlsx", buffer.getvalue()),
        },
    )
    assert response.status_code == 200 and "zip bomb" in response.content.decode()


def test_a_preview_with_errors_offers_to_upload_again(client, start, alice, unit_a, cycle):
    from django.urls import reverse

    from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload

    job = start(alice, "deliverables", upload(DELIVERABLE_HEADERS, [deliverable_row(category="nope")]))
    client.force_login(alice)
    html = client.get(reverse("transfers:import_detail", args=[job.pk])).content.decode()
    assert 'id="upload-again"' in html
    again = client.get(reverse("transfers:import_new", args=["deliverables"]) + "?year=2022").content.decode()
    assert 'value="2022"' in again
    assert client.get(reverse("transfers:import_new", args=["deliverables"]) + "?year=abc").status_code == 200
