"""Yearly figures through the spreadsheet import: preview, confirm, figures' own rules as row errors."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import NotAllowed, ValidationFailed
from directorates.models import Directorate
from figures.catalogue import INDICATORS
from figures.models import Figure
from tests.factories import DirectorateFactory
from tests.figures.conftest import make_indicator
from transfers import services
from transfers.models import ImportJob

from .conftest import upload
from .test_exports import _csv_rows, _xlsx_rows

pytestmark = pytest.mark.django_db

HEADERS = ["unit_code", "year", "indicator_code", "value", "source_note"]


def figure_row(code="SP-A", indicator="cases_handled", value=100, year=2022, note=""):
    return [code, year, indicator, value, note]


@pytest.fixture
def indicators(db):
    handled = make_indicator("cases_handled", position=10)
    solved = make_indicator("cases_solved", position=20)
    return {
        "cases_handled": handled,
        "cases_solved": solved,
        "arrests": make_indicator("arrests", position=30),
        "solved_rate": make_indicator(
            "solved_rate", unit="percent", numerator=solved, denominator=handled, multiplier=Decimal(100), position=40
        ),
        "staff": make_indicator("staff", national_only=True, rollup="none", position=50),
    }


@pytest.fixture
def national(unit_a, unit_b, region):
    """DGSN above the shared cast's units (who have no root)."""
    root = DirectorateFactory(code="DGSN", kind=Directorate.Kind.CENTRAL_DIRECTORATE)
    for unit in (region, unit_b):
        unit.parent = root
        unit.save()
    unit_a.refresh_from_db()
    return root


@pytest.fixture
def import_figures(start, confirm):
    def _run(actor, rows, fmt="xlsx", year="auto"):
        job = start(actor, "figures", upload(HEADERS, rows, fmt, sheet="Figures"), year=year)
        assert job.state == ImportJob.State.PREVIEW, (job.message, job.row_errors)
        assert job.error_count == 0, job.row_errors
        if job.can_confirm:
            job = confirm(actor, job)
        return job

    return _run


def test_preview_counts_new_rows_and_saves_nothing(start, alice, cycle, indicators):
    rows = [figure_row(indicator=code) for code in ("cases_handled", "cases_solved", "arrests")]
    job = start(alice, "figures", upload(HEADERS, rows))
    assert job.state == ImportJob.State.PREVIEW
    assert job.counts == {"total": 3, "new": 3, "update": 0, "skip": 0, "invalid": 0, "error": 0}
    assert job.can_confirm
    assert not Figure.objects.exists()
    assert not Figure.history.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_confirm_saves_every_figure_with_a_history_row(import_figures, alice, unit_a, cycle, indicators, fmt):
    rows = [figure_row(value="1 204", note="registre"), figure_row(indicator="arrests", value=57)]
    job = import_figures(alice, rows, fmt=fmt)
    assert job.state == ImportJob.State.APPLIED
    assert job.counts["new"] == 2
    handled = Figure.objects.get(indicator__code="cases_handled")
    assert (handled.directorate, handled.year, handled.value, handled.source_note) == (
        unit_a,
        2022,
        Decimal(1204),
        "registre",
    )
    assert handled.entered_by == alice
    history = Figure.history.filter(history_change_reason=job.history_reason)
    assert history.count() == 2
    assert {h.history_user for h in history} == {alice}


def test_reimporting_the_same_file_changes_nothing(import_figures, start, alice, cycle, indicators):
    rows = [figure_row(indicator=code, value=i) for i, code in enumerate(("cases_handled", "arrests"))]
    import_figures(alice, rows)
    history_before = Figure.history.count()
    again = start(alice, "figures", upload(HEADERS, rows))
    assert again.counts["skip"] == 2 and again.counts["new"] == 0 and again.counts["update"] == 0
    assert not again.can_confirm
    assert Figure.history.count() == history_before


def test_a_changed_value_is_updated_with_a_history_row(import_figures, alice, cycle, indicators):
    import_figures(alice, [figure_row(value=10)])
    job = import_figures(alice, [figure_row(value=12)])
    assert job.counts["update"] == 1
    assert Figure.objects.get().value == 12
    assert Figure.history.filter(history_change_reason=job.history_reason, history_type="~").count() == 1


def test_row_errors_name_row_column_value_and_problem(start, olga, unit_a, cycle, indicators):
    rows = [
        figure_row(),  # 2: fine
        figure_row(code="NOPE"),  # 3: unknown unit
        figure_row(indicator="nope"),  # 4: unknown indicator
        figure_row(indicator="arrests", value="many"),  # 5: not a number
        figure_row(indicator="cases_solved", value=-3),  # 6: negative
        figure_row(indicator="solved_rate", value=95),  # 7: derived (computed)
        figure_row(),  # 8: duplicate of row 2
        figure_row(year=2023),  # 9: no review cycle for 2023
        figure_row(indicator="staff"),  # 10: national figure at a unit
        figure_row(indicator="arrests", value=""),  # 11: no value
    ]
    job = start(olga, "figures", upload(HEADERS, rows))
    errors = {e["row"]: e for e in job.row_errors}
    assert set(errors) == set(range(3, 12))
    assert (errors[3]["column"], errors[3]["value"]) == ("Unit code", "NOPE")
    assert "Unknown unit" in errors[3]["message"]
    assert errors[4]["column"] == "Indicator code" and "Unknown indicator" in errors[4]["message"]
    assert (errors[5]["column"], errors[5]["value"]) == ("Value", "many")
    assert "number" in errors[5]["message"]
    assert "negative" in errors[6]["message"]
    assert "computed" in errors[7]["message"]
    assert "twice" in errors[8]["message"]
    assert errors[9]["column"] == "Year" and "no review cycle" in errors[9]["message"]
    assert "national" in errors[10]["message"]
    assert "required" in errors[11]["message"]
    assert job.counts["invalid"] == 9 and job.counts["new"] == 1
    assert not job.can_confirm
    assert not Figure.objects.exists()


def test_a_submitted_report_locks_its_figures_once_per_unit_and_year(start, submitted_report, alice, indicators):
    rows = [figure_row(indicator=code) for code in ("cases_handled", "cases_solved", "arrests")]
    job = start(alice, "figures", upload(HEADERS, rows))
    assert job.error_count == 3
    assert all("locked" in e["message"] and e["column"] == "Unit code" for e in job.row_errors)


def test_an_error_in_the_last_row_saves_nothing(start, alice, cycle, indicators):
    rows = [figure_row(indicator=code) for code in ("cases_handled", "cases_solved")]
    rows.append(figure_row(indicator="arrests", value="n/a"))
    job = start(alice, "figures", upload(HEADERS, rows))
    assert job.error_count == 1 and job.row_errors[0]["row"] == 4
    with pytest.raises(ValidationFailed):
        services.import_confirm(actor=alice, job=job)
    assert not Figure.objects.exists()


def test_apply_checks_again_and_saves_nothing_if_the_last_row_became_invalid(start, confirm, alice, cycle, indicators):
    rows = [figure_row(indicator=code) for code in ("cases_handled", "cases_solved", "arrests")]
    job = start(alice, "figures", upload(HEADERS, rows))
    assert job.can_confirm
    # Meanwhile the administrators retire the last row's indicator.
    indicators["arrests"].is_active = False
    indicators["arrests"].save()
    job = confirm(alice, job)
    assert job.state == ImportJob.State.FAILED
    assert [e["row"] for e in job.row_errors] == [4]
    assert not Figure.objects.exists() and not Figure.history.exists()


def test_editor_imports_only_their_own_unit_and_the_chosen_year(
    start, import_figures, bob, unit_a, unit_b, cycle, indicators
):
    rows = [figure_row(), figure_row(code="WS-B"), figure_row(indicator="arrests", year=2023)]
    job = start(bob, "figures", upload(HEADERS, rows), year=2022)
    messages = {e["row"]: e["message"] for e in job.row_errors}
    assert set(messages) == {3, 4}
    assert "head or editors" in messages[3]
    assert "2022" in messages[4]
    assert import_figures(bob, [figure_row()]).state == ImportJob.State.APPLIED


def test_viewer_and_outsider_may_not_import_figures(victor, oscar, cycle, indicators):
    for user in (victor, oscar):
        with pytest.raises(NotAllowed):
            services.import_start(
                actor=user, kind_key="figures", year=2022, uploaded_file=upload(HEADERS, [figure_row()])
            )


@pytest.mark.parametrize("user", ["olga", "root"])
def test_dg_office_and_admins_import_any_unit_and_national_figures(
    import_figures, national, unit_b, cycle, indicators, user, request
):
    actor = request.getfixturevalue(user)
    rows = [
        figure_row(code="DGSN", indicator="staff", value=73000),
        figure_row(code="WS-B", value=8),
        figure_row(code="SP-A", value=9),
    ]
    job = import_figures(actor, rows)
    assert job.state == ImportJob.State.APPLIED and job.counts["new"] == 3
    assert Figure.objects.get(directorate=national).value == 73000


def test_preview_runs_a_constant_number_of_queries(start, olga, cycle, indicators):
    units = DirectorateFactory.create_batch(12)
    codes = ("cases_handled", "cases_solved", "arrests")
    small = [figure_row(code=units[0].code, indicator=code) for code in codes[:2]]
    big = [figure_row(code=unit.code, indicator=code, value=i) for i, unit in enumerate(units) for code in codes]
    counts = []
    for rows in (small, big):
        job = start(olga, "figures", upload(HEADERS, rows))
        assert job.error_count == 0, job.row_errors
        job.state = ImportJob.State.PENDING
        job.save()
        with CaptureQueriesContext(connection) as ctx:
            services.import_preview(job=job)
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_export_holds_only_what_the_user_may_see_and_neutralises_formulas(
    import_figures, olga, alice, unit_a, unit_b, cycle, indicators
):
    # (.csv: openpyxl would write the first note as a formula)
    import_figures(olga, [figure_row(note='=HYPERLINK("http://x")'), figure_row(code="WS-B", note="+1+1")], fmt="csv")
    for fmt, reader in (("xlsx", _xlsx_rows), ("csv", _csv_rows)):
        rows = reader(services.export_file(user=olga, kind_key="figures", fmt=fmt))
        assert rows[0] == ["Unit code", "Year", "Indicator code", "Value", "Source note"]
        assert sorted(row[4] for row in rows[1:]) == ["'+1+1", '\'=HYPERLINK("http://x")']
        mine = reader(services.export_file(user=alice, kind_key="figures", fmt=fmt))
        assert [row[0] for row in mine[1:]] == ["SP-A"]


def test_exported_figures_reimport_unchanged(import_figures, start, alice, cycle, indicators):
    import_figures(alice, [figure_row(value=5), figure_row(indicator="arrests", value=7)])
    content = services.export_file(user=alice, kind_key="figures", fmt="xlsx")
    job = start(alice, "figures", SimpleUploadedFile("figures.xlsx", content))
    assert job.counts["skip"] == 2 and job.error_count == 0, job.row_errors


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_has_translated_headers_and_real_indicator_codes(client, alice, fmt):
    client.force_login(alice)
    response = client.get(reverse("transfers:import_template", args=["figures", fmt]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = _xlsx_rows(response.content) if fmt == "xlsx" else _csv_rows(response.content)
    assert rows[0] == ["Unit code", "Year", "Indicator code", "Value", "Source note"]
    catalogue = {row[0] for row in INDICATORS}
    assert len(rows) == 3 and all(row[2] in catalogue for row in rows[1:])


def test_reimport_preview_runs_a_constant_number_of_queries(import_figures, start, olga, cycle, indicators):
    units = DirectorateFactory.create_batch(10)
    codes = ("cases_handled", "cases_solved", "arrests")
    small = [figure_row(code=units[0].code, indicator=code, value=0) for code in codes[:2]]
    big = [figure_row(code=unit.code, indicator=code, value=i) for i, unit in enumerate(units) for code in codes]
    import_figures(olga, big)
    counts = []
    for rows in (small, big):
        job = start(olga, "figures", upload(HEADERS, rows))
        assert job.counts["skip"] == len(rows), job.row_errors
        job.state = ImportJob.State.PENDING
        job.save()
        with CaptureQueriesContext(connection) as ctx:
            services.import_preview(job=job)
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_administrator_imports_figures_in_the_admin_with_the_same_rules(client, root, unit_a, cycle, indicators):
    from import_export.formats.base_formats import CSV

    from transfers.admin import FigureImportAdmin

    client.force_login(root)
    formats = FigureImportAdmin(Figure, None).get_import_formats()
    csv_index = str(next(i for i, f in enumerate(formats) if f is CSV or issubclass(f, CSV)))
    url = reverse("admin:figures_figure_import")
    bad = client.post(
        url,
        {
            "resource": "0",
            "format": csv_index,
            "import_file": upload(HEADERS, [figure_row(indicator="solved_rate")], fmt="csv"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 200 and "computed" in bad.content.decode()
    good = client.post(
        url,
        {"resource": "0", "format": csv_index, "import_file": upload(HEADERS, [figure_row(value=42)], fmt="csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    confirm_form = good.context["confirm_form"]
    response = client.post(reverse("admin:figures_figure_process_import"), {**confirm_form.initial})
    assert response.status_code == 302
    figure = Figure.objects.get()
    assert figure.value == 42 and figure.entered_by == root
    assert figure.history.get().history_user == root


def test_pages_offer_the_figures_import_and_the_exports(
    client, alice, cycle, indicators, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    page = client.get(reverse("transfers:import_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("transfers:import_new", args=["figures"]) in page
    assert reverse("transfers:export", args=["figures", "xlsx"]) in page
    assert reverse("transfers:export", args=["objectives", "csv"]) in page
    assert client.get(reverse("transfers:import_new", args=["figures"])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("transfers:import_new", args=["figures"]), {"file": upload(HEADERS, [figure_row()]), "year": 2022}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.kind == "figures" and job.counts["new"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("transfers:import_confirm", args=[job.pk]))
    assert Figure.objects.get().value == 100


def test_a_file_without_the_source_note_column_keeps_the_notes(
    import_figures, start, confirm, alice, cycle, indicators
):
    import_figures(alice, [figure_row(value=5, note="registre"), figure_row(indicator="arrests", value=7)])
    job = start(
        alice, "figures", upload(HEADERS[:4], [figure_row(value=5)[:4], figure_row(indicator="arrests", value=8)[:4]])
    )
    assert (job.counts["skip"], job.counts["update"]) == (1, 1), job.row_errors
    confirm(alice, job)
    assert dict(Figure.objects.values_list("indicator__code", "source_note")) == {
        "cases_handled": "registre",
        "arrests": "",
    }
    assert Figure.objects.get(indicator__code="arrests").value == 8


def test_while_the_report_is_returned_with_flags_only_flagged_figures_import(
    import_figures, start, alice, bob, olga, cycle, indicators, report_a
):
    """The preview marks each unflagged figure the file would change; the flagged one goes through."""
    from reviews import services as review_services
    from tests.conftest import fill

    import_figures(alice, [figure_row(value=10), figure_row(indicator="arrests", value=5)])
    review_services.report_submit(actor=alice, report=fill(report_a, bob))
    handled = Figure.objects.get(indicator__code="cases_handled")
    review_services.report_return(
        actor=olga, report=report_a, comment="x", items=[{"kind": "figure", "id": handled.pk, "comment": "Vérifier"}]
    )
    job = start(alice, "figures", upload(HEADERS, [figure_row(value=11), figure_row(indicator="arrests", value=6)]))
    assert job.error_count == 1 and not job.can_confirm
    assert "flagged" in str(job.row_errors) or "signal" in str(job.row_errors)
    job = import_figures(alice, [figure_row(value=11), figure_row(indicator="arrests", value=5)])
    assert job.state == ImportJob.State.APPLIED
    assert Figure.objects.get(indicator__code="cases_handled").value == 11
