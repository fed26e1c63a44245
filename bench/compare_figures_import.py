"""Import 10,000 yearly figures from .xlsx: the fast path vs a django-import-export resource at its defaults.

100 units × 100 indicators of one year, imported by the DG's office. The fast path checks every row with
figures' own rules (``figures.services.figure_check_many``: catalogue, duplicates, permission and report
lock once per (unit, year), value) and writes through ``figure_set_many`` (bulk, one history row per
figure). The default resource checks none of those rules and still runs several queries per row.
Same measures as bench_imports: wall and CPU time, peak memory (tracemalloc, second identical pass),
SQL queries by kind.
"""

import datetime
import io

import openpyxl

from bench.default_resources import DefaultFigureResource
from bench.import_comparison import compare, import_with_default_resource, with_media
from directorates.models import Directorate
from figures.models import Figure, Indicator
from reviews.models import ReviewCycle
from tests.factories import office_user
from transfers import kinds

UNITS = 100
INDICATORS = 100
ROWS = UNITS * INDICATORS
YEAR = 2031
COLUMNS = ["unit_code", "year", "indicator_code", "value", "source_note"]


def _xlsx(units, indicators):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(kinds.get("figures").label)
    sheet.append(kinds.get("figures").headers())
    for u, unit in enumerate(units):
        for i, indicator in enumerate(indicators):
            sheet.append(
                [
                    unit.code,
                    YEAR,
                    indicator.code,
                    (u * 37 + i * 11) % 5000 + 1,
                    "Statistiques de l'unité" if i % 3 == 0 else None,
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run():
    with_media(_run)


def _run():
    region = Directorate.objects.create(
        code="BENCHF-R", kind=Directorate.Kind.SECURITY_PREFECTURE, name_fr="R", name_ar="R", name_en="R"
    )
    units = [
        Directorate(
            code=f"BENCHF-{i:03d}",
            kind=Directorate.Kind.PROVINCIAL_SECURITY,
            parent=region,
            name_fr=f"U{i}",
            name_ar=f"U{i}",
            name_en=f"U{i}",
            path=f"BENCHF-R/BENCHF-{i:03d}/",
        )
        for i in range(UNITS)
    ]
    Directorate.objects.bulk_create(units)
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"bench_indicator_{i:03d}",
                name_fr=f"I{i}",
                name_ar=f"I{i}",
                name_en=f"I{i}",
                domain="crime",
                unit="count",
                position=i,
            )
            for i in range(INDICATORS)
        ]
    )
    ReviewCycle.objects.create(
        year=YEAR, submission_deadline=datetime.date(YEAR, 12, 9), meeting_date=datetime.date(YEAR, 12, 22)
    )
    office = office_user(username="bench-figures-office")
    content = _xlsx(units, indicators)
    print(f"   file: {ROWS} figure rows, {UNITS} units x {INDICATORS} indicators, {len(content) / 1024:.0f} KB .xlsx")

    compare(
        kind="figures",
        noun="figures",
        model=Figure,
        year=YEAR,
        actor=office,
        content=content,
        default_import=lambda dry_run: import_with_default_resource(
            DefaultFigureResource(actor=office), COLUMNS, content, dry_run=dry_run
        ),
    )
