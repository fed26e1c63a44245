import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from transfers import kinds, services
from transfers.models import ImportJob

DELIVERABLE_HEADERS = [column.key for column in kinds.get("deliverables").columns]  # the import's own columns
UNIT_HEADERS = ["code", "kind", "parent_code", "name_fr", "name_ar", "name_en"]


def xlsx_bytes(headers, rows, sheet="Deliverables"):
    workbook = openpyxl.Workbook()
    sheet_ = workbook.active
    sheet_.title = sheet
    sheet_.append(headers)
    for row in rows:
        sheet_.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def upload(headers, rows, fmt="xlsx", name=None, sheet=None):
    if fmt == "xlsx":
        content = xlsx_bytes(headers, rows, sheet=sheet or "Deliverables")
    else:
        content = csv_bytes(headers, rows)
    return SimpleUploadedFile(name or f"file.{fmt}", content)


def deliverable_row(code="SP-A", year=2022, title="Livrable", **overrides):
    row = {
        "unit_code": code,
        "year": year,
        "title": title,
        "description": "",
        "category": "operations",
        "target_quantity": 3,
        "target_unit": "équipes",
        "target_date": "",
        "due_date": f"{year}-12-31",
    }
    row.update(overrides)
    return [row[h] for h in DELIVERABLE_HEADERS]


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English messages: pin the language, so that the French catalogues (compiled
    after the branches merge) do not change what these tests read."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """Upload a file and run its preview task (eager), as the upload page does."""

    def _start(actor, kind, uploaded, year="auto"):
        if year == "auto":  # unit people import into one year: the cycle of the fixtures
            year = 2022 if kinds.get(kind).requires_year(actor) else None
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_start(actor=actor, kind_key=kind, uploaded_file=uploaded, year=year)
        job.refresh_from_db()
        return job

    return _start


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def _confirm(actor, job):
        with django_capture_on_commit_callbacks(execute=True):
            services.import_confirm(actor=actor, job=job)
        job.refresh_from_db()
        return job

    return _confirm


@pytest.fixture
def import_deliverables(start, confirm):
    """Preview then confirm deliverable rows; returns the job."""

    def _run(actor, rows, fmt="xlsx", year="auto"):
        job = start(actor, "deliverables", upload(DELIVERABLE_HEADERS, rows, fmt), year=year)
        assert job.state == ImportJob.State.PREVIEW, (job.message, job.row_errors)
        if job.can_confirm:
            job = confirm(actor, job)
        return job

    return _run
