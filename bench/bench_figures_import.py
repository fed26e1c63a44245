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
import shutil
import tempfile

import openpyxl
from django.conf import settings
from django.db import transaction

from bench.bench_imports import _CPU, _mb, _measure
from directorates.models import Directorate, User
from figures.models import Figure, Indicator
from reviews.models import ReviewCycle
from transfers import kinds, services
from transfers.models import ImportJob
from transfers.resources import DefaultFigureResource

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
            sheet.append([unit.code, YEAR, indicator.code, (u * 37 + i * 11) % 5000 + 1,
                          "Statistiques de l'unité" if i % 3 == 0 else None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _record(actor, content):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    job = ImportJob(kind="figures", created_by=actor, created_at=timezone.now(), original_name="bench.xlsx",
                    file_format="xlsx", size=len(content))
    job.file.save("bench.xlsx", SimpleUploadedFile("bench.xlsx", content), save=False)
    job.save()
    return job


def _fast(actor, content, *, trace):
    job = _record(actor, content)
    job, t_preview, m_preview, q_preview = _measure("preview", lambda: services.import_preview(job=job), trace=trace)
    cpu_preview = _CPU["preview"]
    assert job.state == ImportJob.State.PREVIEW and job.error_count == 0, (job.message, job.row_errors[:3])
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.APPLYING)
    job.refresh_from_db()
    job, t_apply, m_apply, q_apply = _measure("apply", lambda: services.import_apply(job=job), trace=trace)
    assert job.state == ImportJob.State.APPLIED, (job.message, job.row_errors[:3])
    return job, (t_preview, m_preview, q_preview, cpu_preview), (t_apply, m_apply, q_apply, _CPU["apply"])


def _default(actor, content, *, dry_run):
    from import_export.formats.base_formats import XLSX

    def run():
        dataset = XLSX().create_dataset(content)
        dataset.headers = list(COLUMNS)
        result = DefaultFigureResource(actor=actor).import_data(dataset, dry_run=dry_run, use_transactions=True)
        assert not result.has_errors() and not result.has_validation_errors(), (
            result.base_errors[:1], result.invalid_rows[:1], list(result.row_errors())[:1])
        return result

    return _measure("default", run, trace=False)


def run():
    media = tempfile.mkdtemp()
    settings.MEDIA_ROOT = media
    try:
        _run()
    finally:
        shutil.rmtree(media, ignore_errors=True)


def _run():
    region = Directorate.objects.create(code="BENCHF-R", kind=Directorate.Kind.SECURITY_PREFECTURE,
                                        name_fr="R", name_ar="R", name_en="R")
    units = [Directorate(code=f"BENCHF-{i:03d}", kind=Directorate.Kind.PROVINCIAL_SECURITY, parent=region,
                         name_fr=f"U{i}", name_ar=f"U{i}", name_en=f"U{i}", path=f"BENCHF-R/BENCHF-{i:03d}/")
             for i in range(UNITS)]
    Directorate.objects.bulk_create(units)
    indicators = Indicator.objects.bulk_create([
        Indicator(code=f"bench_indicator_{i:03d}", name_fr=f"I{i}", name_ar=f"I{i}", name_en=f"I{i}",
                  domain="crime", unit="count", position=i)
        for i in range(INDICATORS)
    ])
    ReviewCycle.objects.create(year=YEAR, submission_deadline=datetime.date(YEAR, 12, 9),
                               meeting_date=datetime.date(YEAR, 12, 22))
    office = User.objects.create(username="bench-figures-office", org_role=User.OrgRole.REVIEWER)
    content = _xlsx(units, indicators)
    print(f"   file: {ROWS} figure rows, {UNITS} units x {INDICATORS} indicators, {len(content) / 1024:.0f} KB .xlsx")

    with transaction.atomic():
        job, preview, apply_ = _fast(office, content, trace=False)
        created = Figure.objects.filter(year=YEAR).count()
        history = Figure.history.filter(history_change_reason=job.history_reason).count()
        again = _record(office, content)
        again, t_again, _m, q_again = _measure("again", lambda: services.import_preview(job=again), trace=False)
        transaction.set_rollback(True)
    with transaction.atomic():
        _job2, preview_m, apply_m = _fast(office, content, trace=True)
        transaction.set_rollback(True)
    print(f"   fast preview : {preview[0]:6.2f} s (CPU {preview[3]:.2f} s), peak {_mb(preview_m[1])}, {preview[2]}")
    print(f"   fast confirm : {apply_[0]:6.2f} s (CPU {apply_[3]:.2f} s), peak {_mb(apply_m[1])}, {apply_[2]}")
    total_fast = preview[0] + apply_[0]
    print(f"   fast total   : {total_fast:6.2f} s (CPU {preview[3] + apply_[3]:.2f} s)  ({created} figures "
          f"created, {history} history rows; every row validated)")
    print(f"   re-import    : {t_again:6.2f} s, {again.counts['skip']} unchanged, {again.counts['new']} new, "
          f"{again.counts['update']} updated, {q_again}")

    with transaction.atomic():
        _r, t_dp, _m, q_dp = _default(office, content, dry_run=True)
        transaction.set_rollback(True)
    cpu_default = _CPU["default"]
    with transaction.atomic():
        _r, t_da, _m, q_da = _default(office, content, dry_run=False)
        transaction.set_rollback(True)
    print(f"   default preview (dry run): {t_dp:6.2f} s (CPU {cpu_default:.2f} s), {q_dp}")
    print(f"   default import           : {t_da:6.2f} s (CPU {_CPU['default']:.2f} s), {q_da}")
    total_default = t_dp + t_da
    cpu_default += _CPU["default"]
    print(f"   default total: {total_default:6.2f} s -> fast path is {total_default / total_fast:.1f}x faster "
          f"(CPU: {cpu_default / (preview[3] + apply_[3]):.1f}x; aim: < 3 s and >= 5x)")
