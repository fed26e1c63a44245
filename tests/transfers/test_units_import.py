import pytest

from core.errors import NotAllowed
from directorates.models import Directorate
from transfers import services
from transfers.models import ImportJob

from .conftest import UNIT_HEADERS, upload

pytestmark = pytest.mark.django_db


def unit_row(code, kind="provincial_security", parent="", fr=None):
    return [code, kind, parent, fr or f"Sûreté {code}", f"الأمن {code}", f"Security {code}"]


def test_administrator_imports_a_tree_with_parents_first(start, confirm, root):
    rows = [unit_row("WS-FES", "security_prefecture"), unit_row("SP-SEFROU", parent="WS-FES")]
    job = start(root, "units", upload(UNIT_HEADERS, rows, sheet="Units"))
    assert job.counts["new"] == 2 and job.error_count == 0
    assert not Directorate.objects.filter(code="WS-FES").exists()  # the preview wrote nothing
    job = confirm(root, job)
    assert job.state == ImportJob.State.APPLIED
    child = Directorate.objects.get(code="SP-SEFROU")
    assert child.parent.code == "WS-FES"
    assert child.path == "WS-FES/SP-SEFROU/"
    assert Directorate.history.filter(code="SP-SEFROU", history_user=root).exists()


def test_reimporting_units_changes_nothing_and_a_rename_is_an_update(start, confirm, root):
    rows = [unit_row("WS-FES", "security_prefecture"), unit_row("SP-SEFROU", parent="WS-FES")]
    confirm(root, start(root, "units", upload(UNIT_HEADERS, rows)))
    again = start(root, "units", upload(UNIT_HEADERS, rows))
    assert again.counts["skip"] == 2 and not again.can_confirm
    rows[1] = unit_row("SP-SEFROU", parent="WS-FES", fr="Nouvelle Sûreté")
    renamed = start(root, "units", upload(UNIT_HEADERS, rows))
    assert renamed.counts["update"] == 1
    confirm(root, renamed)
    assert Directorate.objects.get(code="SP-SEFROU").name_fr == "Nouvelle Sûreté"


def test_unit_row_errors(start, root, unit_a):
    rows = [
        unit_row("bad code!"),
        unit_row("SP-X", kind="castle"),
        unit_row("SP-Y", parent="NOWHERE"),
        unit_row("SP-Z"),
        unit_row("SP-Z"),
        unit_row("WS-R", parent="SP-A", kind="security_prefecture"),  # under its own sub-unit
    ]
    job = start(root, "units", upload(UNIT_HEADERS, rows))
    by_row = {e["row"]: e for e in job.row_errors}
    assert by_row[2]["column"] == "Code"
    assert by_row[3]["column"] == "Kind" and by_row[3]["value"] == "castle"
    assert "Unknown unit code" in by_row[4]["message"]
    assert "row 5" in by_row[6]["message"]
    assert "sub-units" in by_row[7]["message"]


def test_an_error_in_the_last_unit_row_saves_nothing(start, confirm, root):
    rows = [unit_row(f"SP-{i}") for i in range(5)] + [unit_row("SP-LAST", kind="")]
    job = start(root, "units", upload(UNIT_HEADERS, rows))
    assert job.error_count == 1
    with pytest.raises(services.ValidationFailed):
        services.import_confirm(actor=root, job=job)
    assert not Directorate.objects.filter(code__startswith="SP-").exists()


@pytest.mark.parametrize("who", ["alice", "olga", "bob"])
def test_only_administrators_import_units(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.import_start(
            actor=user, kind_key="units", year=2022, uploaded_file=upload(UNIT_HEADERS, [unit_row("SP-Q")])
        )


def test_someone_else_cannot_confirm_my_import(start, root, olga):
    root2 = type(root).objects.create(username="root2", is_superuser=True)
    job = start(root, "units", upload(UNIT_HEADERS, [unit_row("SP-Q")]))
    with pytest.raises(NotAllowed):
        services.import_confirm(actor=root2, job=job)


def test_units_preview_runs_a_constant_number_of_queries(start, root):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DirectorateFactory

    counts = []
    for n in (2, 20):
        parent = DirectorateFactory(code=f"WS-{n}", kind="security_prefecture")
        units = [DirectorateFactory(code=f"SP-{n}-{i}", parent=parent) for i in range(n)]
        rows = [unit_row(u.code, parent=parent.code, fr=u.name_fr + " (nouveau)") for u in units]
        job = start(root, "units", upload(UNIT_HEADERS, rows))
        job.state = ImportJob.State.PENDING
        job.rows_file = ""
        job.save()
        with CaptureQueriesContext(connection) as queries:
            services.import_preview(job=job)
        assert job.counts["update"] == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
