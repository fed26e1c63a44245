"""Import 10,000 deliverable rows from .xlsx: the fast path vs a django-import-export resource at its defaults.

The fast path validates every row and writes a simple_history row per created or changed deliverable.
"""

import datetime
import io

import openpyxl

from bench.default_resources import DefaultDeliverableResource
from bench.import_comparison import compare, import_with_default_resource, with_media
from directorates.models import Deliverable, Directorate
from tests.factories import office_user
from transfers import kinds

ROWS = 10_000
HEADERS = [column.key for column in kinds.get("deliverables").columns]  # the import's own columns
UNITS = 50
YEAR = 2023


def _xlsx(units):
    # A normal workbook, as Excel writes it (its <dimension> first: openpyxl's read-only mode relies on it).
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(kinds.get("deliverables").label)
    sheet.append(kinds.get("deliverables").headers())
    categories = [c for c, _ in Deliverable.Category.choices]
    for i in range(ROWS):
        unit = units[i % len(units)]
        sheet.append(
            [
                unit.code,
                YEAR,
                f"Livrable n° {i} de {unit.code}",
                "Description du livrable",
                categories[i % len(categories)],
                i % 40 + 1,
                "unités",
                None,
                datetime.date(YEAR, 1 + i % 12, 28),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run():
    with_media(_run)


def _run():
    region = Directorate.objects.create(
        code="BENCH-R", kind=Directorate.Kind.SECURITY_PREFECTURE, name_fr="R", name_ar="R", name_en="R"
    )
    units = [
        Directorate(
            code=f"BENCH-{i:03d}",
            kind=Directorate.Kind.PROVINCIAL_SECURITY,
            parent=region,
            name_fr=f"U{i}",
            name_ar=f"U{i}",
            name_en=f"U{i}",
            path=f"BENCH-R/BENCH-{i:03d}/",
        )
        for i in range(UNITS)
    ]
    Directorate.objects.bulk_create(units)
    office = office_user(username="bench-office")
    content = _xlsx(units)
    print(f"   file: {ROWS} deliverable rows, {UNITS} units, {len(content) / 1024:.0f} KB .xlsx")

    compare(
        kind="deliverables",
        noun="deliverables",
        model=Deliverable,
        year=YEAR,
        actor=office,
        content=content,
        default_import=lambda dry_run: import_with_default_resource(
            DefaultDeliverableResource(), HEADERS, content, dry_run=dry_run
        ),
    )
