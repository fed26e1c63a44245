"""The committed example files (docs/examples/) import into the demo as the docs say."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from directorates.models import User

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", "--quiet-logins", stdout=StringIO())


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_example_files_preview_in_the_demo(demo, start, fmt):
    editor = User.objects.get(username="editor.sp-sefrou")
    job = start(editor, "deliverables", SimpleUploadedFile(f"d.{fmt}", (EXAMPLES / f"deliverables.{fmt}").read_bytes()))
    assert job.counts["new"] == 3 and job.error_count == 0, (job.message, job.row_errors)
    bad = start(
        editor,
        "deliverables",
        SimpleUploadedFile(f"e.{fmt}", (EXAMPLES / f"deliverables-with-errors.{fmt}").read_bytes()),
    )
    assert sorted(e["row"] for e in bad.row_errors) == [2, 3, 4, 5]
    admin = User.objects.get(username="admin")
    units = start(admin, "units", SimpleUploadedFile(f"u.{fmt}", (EXAMPLES / f"units.{fmt}").read_bytes()))
    assert units.counts["new"] == 1 and units.counts["skip"] == 2, (units.message, units.row_errors)
    figures = start(editor, "figures", SimpleUploadedFile(f"f.{fmt}", (EXAMPLES / f"figures.{fmt}").read_bytes()))
    assert (figures.counts["skip"], figures.counts["update"], figures.counts["new"]) == (2, 1, 1), (
        figures.message,
        figures.row_errors,
    )
    assert figures.error_count == 0
    bad = start(
        editor, "figures", SimpleUploadedFile(f"e.{fmt}", (EXAMPLES / f"figures-with-errors.{fmt}").read_bytes())
    )
    assert sorted(e["row"] for e in bad.row_errors) == [2, 3, 4, 5, 6, 8], bad.row_errors


def test_example_files_are_up_to_date(tmp_path):
    call_command("import_examples", output=str(tmp_path), stdout=StringIO())
    for path in tmp_path.glob("*.csv"):
        # Rows only: the header line follows the translation catalogues of the day.
        fresh = path.read_text(encoding="utf-8-sig").splitlines()[1:]
        committed = (EXAMPLES / path.name).read_text(encoding="utf-8-sig").splitlines()[1:]
        assert fresh == committed, f"run manage.py import_examples ({path.name})"
