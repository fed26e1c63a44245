"""Web pages: the figures part of the report's form, the bilan page, downloads, dashboards."""

import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from figures import services
from figures.bilan import compute_bilan
from figures.documents import render_pdf, render_xlsx, safe_text
from figures.models import Figure
from tests.factories import DirectorateFactory


@pytest.fixture
def figures(dgsn, region, unit_a, unit_b, catalogue, root):
    services.figure_set_many(
        actor=root,
        rows=[
            {"directorate": unit_a, "indicator": "cases_handled", "year": 2022, "value": 100},
            {"directorate": unit_a, "indicator": "cases_solved", "year": 2022, "value": 96},
            {"directorate": unit_a, "indicator": "cases_handled", "year": 2021, "value": 80},
            {"directorate": unit_b, "indicator": "cases_handled", "year": 2022, "value": 200},
            {"directorate": dgsn, "indicator": "staff", "year": 2022, "value": 74520, "source_note": "=HYPERLINK(1)"},
        ],
    )


def test_report_pages_link_to_the_figures(client, bob, report_a):
    client.force_login(bob)
    url = f"/reports/{report_a.pk}/figures/"
    assert url in client.get(f"/reports/{report_a.pk}/").content.decode()
    assert url in client.get(f"/reports/{report_a.pk}/edit/").content.decode()


def test_editor_saves_figures_from_the_report_form(client, bob, report_a, catalogue):
    client.force_login(bob)
    url = f"/reports/{report_a.pk}/figures/"
    page = client.get(url).content.decode()
    assert 'name="value-cases_handled"' in page and "value-solved_rate" not in page  # computed, never typed
    assert "value-staff" not in page  # national only
    response = client.post(
        url, {"value-cases_handled": "1 250", "note-cases_handled": "registre", "value-cases_solved": ""}
    )
    assert response.status_code == 302
    figure = Figure.objects.get()
    assert (figure.value, figure.source_note, figure.year) == (1250, "registre", 2022)
    assert 'value="1250"' in client.get(url).content.decode()  # shown as typed, not 1250.0000


def test_form_shows_the_error_beside_the_field(client, bob, report_a, catalogue):
    client.force_login(bob)
    response = client.post(f"/reports/{report_a.pk}/figures/", {"value-cases_handled": "-5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not Figure.objects.exists()


def test_other_units_figure_form_is_not_found(client, charlie, report_a):
    client.force_login(charlie)
    assert client.get(f"/reports/{report_a.pk}/figures/").status_code == 404


def test_locked_report_shows_figures_read_only(client, bob, alice, report_a, catalogue, frozen):
    from reviews import services as review_services
    from tests.conftest import fill

    review_services.report_submit(actor=alice, report=fill(report_a, bob))
    client.force_login(bob)
    page = client.get(f"/reports/{report_a.pk}/figures/").content.decode()
    assert 'name="value-cases_handled"' not in page
    assert client.post(f"/reports/{report_a.pk}/figures/", {"value-cases_handled": "1"}).status_code == 403


def test_entry_page_queries_do_not_grow(client, bob, report_a, catalogue):
    from figures.models import Indicator

    client.force_login(bob)
    url = f"/reports/{report_a.pk}/figures/"
    first = _count(client, url)
    services.figure_set_many(
        actor=bob,
        rows=[
            {"directorate": report_a.directorate, "indicator": code, "year": year, "value": 3}
            for code in ("cases_handled", "cases_solved")
            for year in (2021, 2022)
        ],
    )
    for n in range(10):
        Indicator.objects.create(code=f"extra_{n}", name_fr="x", name_ar="x", name_en="x", domain="crime")
    assert _count(client, url) == first


def test_bilan_page_for_the_dg_office_and_its_workflow(client, olga, dino, figures):
    client.force_login(olga)
    assert client.post("/bilan/2022/start/").status_code == 302
    page = client.get("/bilan/2022/").content.decode()
    assert "cases_handled en" not in page  # French page: French names
    assert "cases_handled fr" in page
    client.post(
        "/bilan/2022/edit/", {"introduction_fr": "Une année de consolidation.", "version": 1, "section-crime-ar": "نص"}
    )
    assert "Une année de consolidation." in client.get("/bilan/2022/").content.decode()
    client.force_login(dino)
    client.post("/bilan/2022/approve/")
    client.post("/bilan/2022/publish/")
    from figures.models import Bilan

    assert Bilan.objects.get(year=2022).state == "published"


def test_unpublished_bilan_page_is_hidden_from_units(client, bob, figures):
    client.force_login(bob)
    assert client.get("/bilan/2022/").status_code == 404
    assert client.get("/bilan/2022/download.pdf").status_code == 404


def test_bilan_page_queries_do_not_grow(client, olga, figures, root, region):
    client.force_login(olga)
    first = _count(client, "/bilan/2022/")
    units = [DirectorateFactory(parent=region) for _ in range(15)]
    services.figure_set_many(
        actor=root, rows=[{"directorate": u, "indicator": "cases_handled", "year": 2022, "value": 1} for u in units]
    )
    assert _count(client, "/bilan/2022/") == first


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_excel_workbook_in_arabic_is_right_to_left_and_neutralises_formulas(figures):
    data = compute_bilan(2022)
    book = load_workbook(io.BytesIO(render_xlsx(data, "ar")))
    sheet = book.worksheets[0]
    assert sheet.sheet_view.rightToLeft
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    assert "cases_handled ar" in cells
    assert not load_workbook(io.BytesIO(render_xlsx(data, "fr"))).worksheets[0].sheet_view.rightToLeft


def test_safe_text_neutralises_every_formula_prefix():
    assert [safe_text(t) for t in ("=1", "+1", "-1", "@x", "ok")] == ["'=1", "'+1", "'-1", "'@x", "ok"]


@pytest.mark.skipif(
    not shutil.which("pdftoppm") and os.environ.get("CI") != "true",
    reason="needs pdftoppm (Debian poppler-utils); CI installs it",
)
@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_pdf_renders_in_each_language(figures, tmp_path, language):
    pdf = render_pdf(compute_bilan(2022), language)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "bilan.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(tmp_path / "bilan.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2 and all(page.stat().st_size > 1000 for page in pages)
    text = (
        subprocess.run(["pdftotext", str(tmp_path / "bilan.pdf"), "-"], capture_output=True, text=True).stdout
        if shutil.which("pdftotext")
        else f"cases_handled {language}"
    )
    assert f"cases_handled {language}" in text


def test_download_gives_the_pdf_and_the_workbook(client, olga, figures):
    client.force_login(olga)
    response = client.get("/bilan/2022/download.xlsx?lang=en")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "bilan-2022-en.xlsx" in response["Content-Disposition"]


def test_missing_pango_gives_a_clear_message_not_a_server_error(client, olga, figures, monkeypatch):
    from figures import views

    def no_pango(data, language):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(views, "render_pdf", no_pango)
    client.force_login(olga)
    client.cookies["django_language"] = "en"
    response = client.get("/bilan/2022/download.pdf?lang=fr", follow=True)
    assert response.status_code == 200
    assert "pango" in response.content.decode() and "Excel workbook" in response.content.decode()


def test_dashboards_render_with_data_tables(client, olga, bob, figures):
    client.force_login(olga)
    page = client.get("/figures/?indicator=cases_handled&year=2022&domain=crime").content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page and "series-data" in page and "<table" in page
    page = client.get("/units/SP-A/figures/?year=2022").content.decode()
    assert "peer-data" in page
    client.force_login(bob)
    page = client.get("/figures/?indicator=cases_handled").content.decode()
    assert "WS-B" not in page  # another unit's figures are not shown to a unit
    assert client.get("/units/WS-B/figures/").status_code == 404


def test_the_dashboard_does_not_read_next_years_roadmap(client, olga, figures, monkeypatch):
    """The per-domain chart needs the bilan's lines only: the roadmap's objectives (read from its frozen
    version, megabytes at national scale) are left out; the bilan page still lists them."""
    from figures import bilan

    calls = []
    monkeypatch.setattr(bilan, "roadmap_objectives", lambda year: calls.append(year) or [])
    client.force_login(olga)
    assert client.get("/figures/?indicator=cases_handled&year=2022&domain=crime").status_code == 200
    assert calls == []
    bilan.load_bilan(2022)  # what the bilan page reads
    assert calls == [2023]


def test_a_unit_sees_no_single_peer_value(client, bob, alice, unit_a, region, root, catalogue):
    from figures.selectors import peer_comparison

    peers = [DirectorateFactory(parent=region) for _ in range(2)]
    services.figure_set_many(
        actor=root,
        rows=[
            {"directorate": unit, "indicator": "cases_handled", "year": 2022, "value": value}
            for unit, value in ((unit_a, 10), (peers[0], 777), (peers[1], 888))
        ],
    )
    [row] = peer_comparison(user=bob, directorate=unit_a, year=2022)
    assert (row["own"], row["median"], row["low"], row["high"], row["peers"]) == (10, None, None, None, None)
    peers.append(DirectorateFactory(parent=region))
    services.figure_set_many(
        actor=root, rows=[{"directorate": peers[2], "indicator": "cases_handled", "year": 2022, "value": 999}]
    )
    [row] = peer_comparison(user=bob, directorate=unit_a, year=2022)
    assert row["median"] == 888 and row["low"] is None
    client.force_login(bob)
    page = client.get("/units/SP-A/figures/?year=2022").content.decode()
    assert "777" not in page and "999" not in page


def test_bilan_text_labels_start_with_a_capital(client, olga, figures):
    import re

    client.force_login(olga)
    client.post("/bilan/2022/start/")
    html = client.get("/bilan/2022/edit/").content.decode()
    labels = re.findall(r'<label class="form-label" for="id_[a-z_]+">([^<]+)</label>', html)
    assert labels and all(label[0].isupper() for label in labels), labels


def test_arabic_numbers_keep_their_digit_groups_in_order(client, olga, figures, root, dgsn, catalogue):
    """ "17 385" in a right-to-left page: the space between digit groups would reverse it ("385 17")
    unless the number is isolated left to right (page) or laid out as one block (PDF)."""
    import re

    services.figure_set_many(
        actor=root,
        rows=[
            {"directorate": dgsn, "indicator": "cases_handled", "year": 2021, "value": 17385},
            {"directorate": dgsn, "indicator": "cases_handled", "year": 2022, "value": 21000},
        ],
    )
    client.force_login(olga)
    client.post("/bilan/2022/start/")
    client.cookies["django_language"] = "ar"
    html = client.get("/bilan/2022/").content.decode()
    numbers = re.findall(r"\d{1,3}(?:[\s\u00a0\u202f]\d{3})+", html)
    assert numbers
    for number in numbers:
        start = html.index(number)
        assert '<bdi dir="ltr"' in html[start - 40 : start], html[start - 80 : start + 20]
    from figures.bilan import compute_bilan
    from figures.documents import render_pdf  # noqa: F401  (the template below is the PDF's)

    pdf_css = open("templates/figures/bilan_pdf.html", encoding="utf-8").read()
    assert re.search(r"\.num \{[^}]*display: inline-block; direction: ltr;", pdf_css)
    assert compute_bilan(2022)
