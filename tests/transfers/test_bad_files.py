"""Bad files get a clear message on the import, never a server error."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ValidationFailed
from transfers import services
from transfers.models import ImportJob

from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def _failed(start, olga, uploaded):
    job = start(olga, "deliverables", uploaded)
    assert job.state == ImportJob.State.FAILED
    return job.message


def test_not_a_spreadsheet(start, olga):
    message = _failed(start, olga, SimpleUploadedFile("cahier.xlsx", b"%PDF-1.4 not a zip at all"))
    assert "not an .xlsx" in message


def test_a_zip_that_is_not_a_workbook(start, olga):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    message = _failed(start, olga, SimpleUploadedFile("cahier.xlsx", buffer.getvalue()))
    assert "not an .xlsx" in message


def test_wrong_extension_is_refused_at_upload(olga):
    with pytest.raises(ValidationFailed, match=".xlsx and .csv"):
        services.import_start(actor=olga, kind_key="deliverables", uploaded_file=SimpleUploadedFile("cahier.pdf", b"x"))


def test_file_too_large_is_refused_at_upload(olga, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationFailed, match="too large"):
        services.import_start(
            actor=olga, kind_key="deliverables", uploaded_file=SimpleUploadedFile("cahier.csv", b"x" * 101)
        )


def test_wrong_sheet(start, olga, unit_a):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Budget"
    workbook.create_sheet("Notes")
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = _failed(start, olga, SimpleUploadedFile("cahier.xlsx", buffer.getvalue()))
    assert "no sheet named" in message and "Budget" in message


def test_missing_columns(start, olga, unit_a):
    headers = ["unit_code", "year", "title"]
    message = _failed(start, olga, upload(headers, [["SP-A", 2022, "x"]], fmt="csv"))
    assert "Missing columns" in message and "Category" in message and "Due date" in message


def test_zip_bomb_is_refused_before_parsing(start, olga, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (20 * 1024 * 1024))  # compresses ~1000:1
    message = _failed(start, olga, SimpleUploadedFile("bomb.xlsx", buffer.getvalue()))
    assert "zip bomb" in message


def test_xlsx_with_xml_entities_is_refused(start, olga, unit_a):
    content = xlsx_bytes(DELIVERABLE_HEADERS, [deliverable_row()])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            archive.writestr(info, data)
    message = _failed(start, olga, SimpleUploadedFile("xxe.xlsx", buffer.getvalue()))
    assert "entities" in message


def test_billion_laughs_in_a_sheet_is_refused(start, olga, unit_a):
    content = xlsx_bytes(DELIVERABLE_HEADERS, [deliverable_row()])
    source = zipfile.ZipFile(io.BytesIO(content))
    laughs = (
        b'<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = laughs + data
            archive.writestr(info, data)
    message = _failed(start, olga, SimpleUploadedFile("laughs.xlsx", buffer.getvalue()))
    assert "entities" in message


def test_empty_and_binary_csv(start, olga):
    with pytest.raises(ValidationFailed, match="empty"):
        services.import_start(actor=olga, kind_key="deliverables", uploaded_file=SimpleUploadedFile("a.csv", b""))
    message = _failed(start, olga, SimpleUploadedFile("a.csv", b"\x00\x01\x02binary"))
    assert "not a text" in message


def test_semicolon_csv_from_a_french_excel_is_read(start, olga, unit_a):
    text = ";".join(DELIVERABLE_HEADERS) + "\n" + "SP-A;2022;Titre;;operations;3,5;u;;31/12/2022\n"
    job = start(olga, "deliverables", SimpleUploadedFile("fr.csv", text.encode("cp1252")))
    assert job.state == ImportJob.State.PREVIEW and job.counts["new"] == 1, (job.message, job.row_errors)
