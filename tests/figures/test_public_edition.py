"""The public edition of a published bilan: only public indicators and text blocks, computed from the
same figures, readable without an account (page, PDF, Excel, API); internal documents say they are
restricted on every page."""

import io
import os
import shutil
import subprocess

import pytest
from django.urls import reverse

from figures import services
from figures.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(dgsn, unit_a, unit_b, catalogue, root, olga, dino):
    """2022 bilan: cases_handled and cases_solved are public, road_accidents internal; the introduction is
    public, the outlook internal, the crime commentary public, the road-safety commentary internal."""
    Indicator.objects.filter(code__in=["cases_handled", "cases_solved", "solved_rate"]).update(is_public=True)
    services.figure_set_many(
        actor=root,
        rows=[
            {"directorate": unit_a, "indicator": code, "year": year, "value": value}
            for code, year, value in (
                ("cases_handled", 2021, 80),
                ("cases_handled", 2022, 100),
                ("cases_solved", 2022, 90),
                ("road_accidents", 2021, 50),
                ("road_accidents", 2022, 40),
            )
        ],
    )
    bilan = services.bilan_start(actor=olga, year=2022)
    bilan = services.bilan_update(
        actor=olga,
        bilan=bilan,
        texts={
            "introduction_fr": "Introduction publique.",
            "outlook_fr": "Perspectives internes.",
            "introduction_public": True,
            "outlook_public": False,
        },
        sections={
            "crime": {"fr": "Commentaire crime public.", "public": True},
            "road_safety": {"fr": "Commentaire route interne.", "public": False},
        },
    )
    bilan = services.bilan_approve(actor=dino, bilan=bilan)
    return services.bilan_publish(actor=dino, bilan=bilan)


def test_the_public_page_is_open_without_login_and_holds_only_public_items(client, published):
    page = client.get(reverse("figures:bilan_public", args=[2022]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "cases_handled fr" in html and "cases_solved fr" in html
    assert "road_accidents fr" not in html
    assert "Introduction publique." in html and "Perspectives internes." not in html
    assert "Commentaire crime public." in html and "Commentaire route interne." not in html
    assert 'id="restricted"' not in html and 'id="edition-public"' in html


def test_the_public_edition_uses_the_same_figures(client, api, published, olga):
    public = api.get("/api/v1/bilan/2022/?edition=public").json()
    api.force_authenticate(olga)
    internal = api.get("/api/v1/bilan/2022/").json()
    public_lines = {line["code"]: line for line in public["indicators"]}
    internal_lines = {line["code"]: line for line in internal["indicators"]}
    assert set(public_lines) == {"cases_handled", "cases_solved", "solved_rate"}
    assert "road_accidents" in internal_lines
    for code, line in public_lines.items():
        assert line == internal_lines[code]
    assert public["edition"] == "public" and public["objectives"] == []
    assert public["outlook"] == {} and internal["outlook"]["fr"] == "Perspectives internes."


def test_the_public_edition_of_an_unpublished_bilan_does_not_exist(client, api, dgsn, catalogue, olga):
    services.bilan_start(actor=olga, year=2022)
    assert client.get(reverse("figures:bilan_public", args=[2022])).status_code == 404
    assert api.get("/api/v1/bilan/2022/?edition=public").status_code == 404
    assert client.get(reverse("figures:bilan_public_download", args=[2022, "xlsx"])).status_code == 404


def test_the_internal_edition_still_needs_an_account(client, api, published):
    assert api.get("/api/v1/bilan/2022/").status_code in (401, 403)
    assert client.get(reverse("figures:bilan_detail", args=[2022])).status_code == 302  # to the login page


def test_a_bad_edition_is_a_400(api, published):
    response = api.get("/api/v1/bilan/2022/?edition=everything")
    assert response.status_code in (400, 401, 403)
    assert response.status_code != 500


def test_the_internal_page_says_it_is_restricted(client, published, bob):
    client.force_login(bob)
    html = client.get(reverse("figures:bilan_detail", args=[2022])).content.decode()
    assert 'id="restricted"' in html
    assert reverse("figures:bilan_public", args=[2022]) in html


def _workbook(content):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def test_excel_internal_carries_the_restricted_line_on_every_sheet_the_public_one_does_not(client, published, bob):
    public = _workbook(client.get(reverse("figures:bilan_public_download", args=[2022, "xlsx"]) + "?lang=en").content)
    client.force_login(bob)
    internal = _workbook(client.get(reverse("figures:bilan_download", args=[2022, "xlsx"]) + "?lang=en").content)
    for sheet in internal.worksheets:
        assert sheet.oddHeader.center.text == "Restricted — internal document"
    assert internal.worksheets[0]["A2"].value == "Restricted — internal document"
    assert public.worksheets[0]["A2"].value == "Public edition"
    assert not public.worksheets[0].oddHeader.center.text
    codes = [row[1].value for row in public.worksheets[0].iter_rows(min_row=4)]
    assert "road_accidents" not in codes and "cases_handled" in codes


def _pages(pdf_bytes, tmp_path):
    path = tmp_path / "bilan.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.skipif(
    not shutil.which("pdftotext") and os.environ.get("CI") != "true",
    reason="needs pdftotext (Debian poppler-utils); CI installs it",
)
@pytest.mark.parametrize("language, words", [("fr", "Diffusion restreinte"), ("en", "Restricted")])
def test_pdf_internal_says_restricted_on_every_page_and_the_public_one_nowhere(
    client, published, bob, tmp_path, language, words
):
    public = _pages(
        client.get(reverse("figures:bilan_public_download", args=[2022, "pdf"]) + f"?lang={language}").content, tmp_path
    )
    client.force_login(bob)
    internal = _pages(
        client.get(reverse("figures:bilan_download", args=[2022, "pdf"]) + f"?lang={language}").content, tmp_path
    )
    assert len(internal) >= 2
    assert all(words in page for page in internal)
    assert not any(words in page for page in public)
    assert not any("road_accidents" in page for page in public)
