import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import DeliverableFactory
from transfers import services

pytestmark = pytest.mark.django_db


def _xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_deliverables_export_holds_only_what_the_user_may_see(alice, charlie, unit_a, unit_b):
    DeliverableFactory(directorate=unit_a, title="ours")
    DeliverableFactory(directorate=unit_b, title="theirs")
    rows = _csv_rows(services.export_file(user=alice, kind_key="deliverables", fmt="csv"))
    assert [row[2] for row in rows[1:]] == ["ours"]


def test_dg_office_exports_every_unit(olga, unit_a, unit_b):
    rows = _xlsx_rows(services.export_file(user=olga, kind_key="units", fmt="xlsx"))
    codes = {row[0] for row in rows[1:]}
    assert {"SP-A", "WS-B", "WS-R"} <= codes


def test_cells_that_would_run_a_formula_are_neutralised(olga, unit_a):
    for title in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"):
        DeliverableFactory(directorate=unit_a, title=title, description="=cmd|' /C calc'!A0")
    for fmt, reader in (("xlsx", _xlsx_rows), ("csv", _csv_rows)):
        rows = reader(services.export_file(user=olga, kind_key="deliverables", fmt=fmt))
        titles = sorted(row[2] for row in rows[1:])
        assert all(title.startswith("'") for title in titles), titles
        assert all(row[3].startswith("'=") for row in rows[1:])
    workbook = openpyxl.load_workbook(io.BytesIO(services.export_file(user=olga, kind_key="deliverables", fmt="xlsx")))
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_exported_deliverables_reimport_unchanged(start, olga, unit_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    DeliverableFactory(directorate=unit_a, title="A", target_quantity=2)
    content = services.export_file(user=olga, kind_key="deliverables", fmt="xlsx")
    job = start(olga, "deliverables", SimpleUploadedFile("export.xlsx", content))
    assert job.counts["skip"] == 1 and job.error_count == 0, (job.message, job.row_errors)


def test_reports_and_outcomes_export(filled_report, olga, alice, charlie):
    rows = _csv_rows(services.export_file(user=olga, kind_key="reports", fmt="csv"))
    assert rows[1][0] == "SP-A" and rows[1][2] == "2022" and rows[1][6] == "100"
    outcomes = _csv_rows(services.export_file(user=olga, kind_key="outcomes", fmt="csv"))
    assert len(outcomes) == 3
    assert _csv_rows(services.export_file(user=charlie, kind_key="reports", fmt="csv"))[1:] == []


def test_headers_are_in_the_users_language(olga):
    with translation.override("en"):
        rows = _csv_rows(services.export_file(user=olga, kind_key="deliverables", fmt="csv"))
    assert rows[0][:3] == ["Unit code", "Year", "Title"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_has_headers_and_example_rows_and_imports_cleanly(client, root, start, fmt):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(root)
    response = client.get(reverse("transfers:import_template", args=["units", fmt]))
    assert response.status_code == 200
    content = response.content
    rows = _xlsx_rows(content) if fmt == "xlsx" else _csv_rows(content)
    assert rows[0][0] == "Code" and len(rows) == 3
    job = start(root, "units", SimpleUploadedFile(f"units.{fmt}", content))
    assert job.counts["new"] == 2 and job.error_count == 0, (job.message, job.row_errors)


@pytest.mark.parametrize("kind", ["deliverables", "units"])
def test_export_page_runs_constant_queries(client, olga, unit_a, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(olga)
    url = reverse("transfers:export", args=[kind, "csv"])
    counts = []
    for more in (3, 30):
        DeliverableFactory.create_batch(more)  # each with its own unit
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5


def test_reports_export_runs_constant_queries(client, filled_report, olga, django_assert_max_num_queries):
    client.force_login(olga)
    for kind in ("reports", "outcomes"):
        with django_assert_max_num_queries(5):
            assert client.get(reverse("transfers:export", args=[kind, "xlsx"])).status_code == 200
