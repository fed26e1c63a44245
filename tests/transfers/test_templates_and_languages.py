"""Templates list the allowed values of coded columns; a French spreadsheet program splits the .csv;
an import's errors are read in the reader's language, whatever the language they were written in."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directorates.models import Deliverable, Directorate
from figures.models import Indicator
from transfers.models import ImportJob

from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload

pytestmark = pytest.mark.django_db


def _get(client, user, url, language):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(url)


def test_the_xlsx_template_lists_the_allowed_categories_with_a_drop_down(client, bob, unit_a):
    response = _get(client, bob, reverse("transfers:import_template", args=["deliverables", "xlsx"]), "en")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Deliverables", "Allowed values"]
    allowed = workbook["Allowed values"]
    assert allowed.cell(1, 1).value == "Category" and allowed.cell(1, 2).value == "Meaning"
    codes = [allowed.cell(row, 1).value for row in range(2, allowed.max_row + 1)]
    assert codes == [code for code, _label in Deliverable.Category.choices]
    assert allowed.cell(2, 2).value == str(Deliverable.Category.choices[0][1])
    validation = workbook["Deliverables"].data_validations.dataValidation[0]
    assert validation.type == "list" and "E2:E1000" in str(validation.sqref)
    assert "'Allowed values'!$A$2" in validation.formula1


def test_the_template_is_still_imported_as_it_is(client, olga, start, unit_a):
    content = _get(client, olga, reverse("transfers:import_template", args=["deliverables", "xlsx"]), "fr").content
    # the example rows name SP-SEFROU: make it exist
    Directorate.objects.create(code="SP-SEFROU", name_fr="Sûreté provinciale de Sefrou", kind="provincial_security")
    job = start(olga, "deliverables", SimpleUploadedFile("t.xlsx", content), year=None)
    assert job.state == ImportJob.State.PREVIEW and job.row_errors == [] and job.counts["new"] == 2


def test_the_units_and_figures_templates_list_kinds_and_indicators(client, root, olga):
    Indicator.objects.create(
        code="arrests_x",
        name_fr="Interpellations",
        name_ar="توقيفات",
        name_en="Arrests",
        domain=Indicator._meta.get_field("domain").choices[0][0],
    )
    units = openpyxl.load_workbook(
        io.BytesIO(_get(client, root, reverse("transfers:import_template", args=["units", "xlsx"]), "ar").content)
    )
    assert units.sheetnames[1] == "القيم المسموح بها"
    kinds = [units.worksheets[1].cell(row, 1).value for row in range(2, units.worksheets[1].max_row + 1)]
    assert kinds == [code for code, _label in Directorate.Kind.choices]
    figures = openpyxl.load_workbook(
        io.BytesIO(_get(client, olga, reverse("transfers:import_template", args=["figures", "xlsx"]), "en").content)
    )
    sheet = figures["Allowed values"]
    assert ("arrests_x", "Arrests") in [
        (sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(2, sheet.max_row + 1)
    ]


def test_the_upload_page_lists_the_allowed_values(client, bob, unit_a):
    html = _get(client, bob, reverse("transfers:import_new", args=["deliverables"]), "en").content.decode()
    section = html[html.index('id="allowed-category"') :]
    section = section[: section.index("</details>")]
    for code, label in Deliverable.Category.choices:
        assert f"<code>{code}</code>" in section and str(label) in section


@pytest.mark.parametrize("language, delimiter", [("fr", ";"), ("en", ","), ("ar", ",")])
def test_the_csv_uses_the_list_separator_of_the_users_spreadsheet_program(client, olga, language, delimiter):
    for url in (
        reverse("transfers:import_template", args=["deliverables", "csv"]),
        reverse("transfers:export", args=["deliverables", "csv"]),
    ):
        text = _get(client, olga, url, language).content.decode("utf-8-sig")
        header = text.splitlines()[0]
        assert len(header.split(delimiter)) == len(DELIVERABLE_HEADERS), header


def test_a_french_csv_template_imports(client, olga, start, unit_a):
    content = _get(client, olga, reverse("transfers:import_template", args=["deliverables", "csv"]), "fr").content
    content = content.replace(b"SP-SEFROU", b"SP-A")
    job = start(olga, "deliverables", SimpleUploadedFile("t.csv", content), year=None)
    assert job.state == ImportJob.State.PREVIEW and job.row_errors == [] and job.counts["new"] == 2


def test_import_errors_are_shown_in_the_readers_language(client, bob, unit_a, django_capture_on_commit_callbacks):
    client.force_login(bob)
    client.cookies["django_language"] = "fr"
    rows = [deliverable_row(title="Un"), deliverable_row(title="Un"), deliverable_row(title="Deux", year=2021)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("transfers:import_new", args=["deliverables"]),
            {"file": upload(DELIVERABLE_HEADERS, rows), "year": 2022},
        )
    job = ImportJob.objects.get()
    assert job.language == "fr"
    stored = " ".join(error["message"] for error in job.row_errors)
    assert "Ligne en double" in stored and "2022" in stored
    url = reverse("transfers:import_detail", args=[job.pk])
    english = _get(client, bob, url, "en").content.decode()
    assert "Duplicate row: the same unit, year and title as row 2." in english
    assert "This import is for 2022 only." in english
    assert "Ligne en double" not in english
    arabic = _get(client, bob, url, "ar").content.decode()
    assert "Ligne en double" not in arabic and "2022" in arabic
    french = _get(client, bob, url, "fr").content.decode()
    assert "Ligne en double" in french


def test_a_refused_file_says_why_in_the_readers_language(client, bob, unit_a, django_capture_on_commit_callbacks):
    client.force_login(bob)
    client.cookies["django_language"] = "ar"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("transfers:import_new", args=["deliverables"]),
            {"file": SimpleUploadedFile("x.csv", b"title\nUn\n"), "year": 2022},
        )
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED and job.language == "ar"
    english = _get(client, bob, reverse("transfers:import_detail", args=[job.pk]), "en").content.decode()
    assert job.message not in english
    assert "column" in english.lower()
