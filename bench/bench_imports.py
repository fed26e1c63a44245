"""Import 10,000 deliverable rows from .xlsx: the fast path vs a django-import-export resource at its defaults.

Prints, for each step: wall time, peak memory (tracemalloc, measured in a second identical pass so that
tracing does not inflate the timings) and the SQL queries run, by kind. The fast path validates every row
and writes a simple_history row per created or changed deliverable.
"""

import datetime
import io
import shutil
import tempfile
import time
import tracemalloc
from collections import Counter

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from directorates.models import Deliverable, Directorate, User
from transfers import kinds, services
from transfers.models import ImportJob
from transfers.resources import DefaultDeliverableResource

ROWS = 10_000
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
        sheet.append([unit.code, YEAR, f"Livrable n° {i} de {unit.code}", "Description du livrable",
                      categories[i % len(categories)], i % 40 + 1, "unités", None,
                      datetime.date(YEAR, 1 + i % 12, 28)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _QueryCounter:
    """Counts every SQL statement by its first word (Django's query log keeps only the last 9,000)."""

    def __init__(self):
        self.counts = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.counts[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    def __str__(self):
        total = sum(self.counts.values())
        return f"{total} queries ({', '.join(f'{k} {n}' for k, n in sorted(self.counts.items()))})"


_CPU = {}  # CPU seconds of the last measure of each label: the machine is shared, wall time is noisy


def _measure(label, func, *, trace):
    counter = _QueryCounter()
    if trace:
        tracemalloc.start()
    with connection.execute_wrapper(counter):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = func()
        elapsed = time.perf_counter() - started
        _CPU[label] = time.process_time() - cpu_started
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, elapsed, peak, str(counter)



def _record(actor, content):
    job = ImportJob(kind="deliverables", created_by=actor, created_at=timezone.now(), original_name="bench.xlsx",
                    file_format="xlsx", size=len(content))
    job.file.save("bench.xlsx", SimpleUploadedFile("bench.xlsx", content), save=False)
    job.save()
    return job


def _fast(actor, content, *, trace):
    job = _record(actor, content)
    job, t_preview, m_preview, q_preview = _measure("preview", lambda: services.import_preview(job=job), trace=trace)
    cpu_preview = _CPU["preview"]
    assert job.state == ImportJob.State.PREVIEW and job.error_count == 0, job.row_errors[:3]
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.APPLYING)
    job.refresh_from_db()
    job, t_apply, m_apply, q_apply = _measure("apply", lambda: services.import_apply(job=job), trace=trace)
    assert job.state == ImportJob.State.APPLIED, (job.message, job.row_errors[:3])
    return job, (t_preview, m_preview, q_preview, cpu_preview), (t_apply, m_apply, q_apply, _CPU["apply"])


def _default(content, *, dry_run, trace):
    from import_export.formats.base_formats import XLSX

    def run():
        dataset = XLSX().create_dataset(content)
        dataset.headers = [h for h in ["unit_code", "year", "title", "description", "category", "target_quantity",
                                       "target_unit", "target_date", "due_date"]]
        result = DefaultDeliverableResource().import_data(dataset, dry_run=dry_run, use_transactions=True)
        assert not result.has_errors() and not result.has_validation_errors(), (
            result.base_errors[:1], result.invalid_rows[:1], list(result.row_errors())[:1])
        return result

    return _measure("default", run, trace=trace)


def _mb(value):
    return f"{value / 1048576:.0f} MB" if value is not None else "-"


def run():
    media = tempfile.mkdtemp()
    settings.MEDIA_ROOT = media
    try:
        _run()
    finally:
        shutil.rmtree(media, ignore_errors=True)


def _run():
    region = Directorate.objects.create(code="BENCH-R", kind=Directorate.Kind.SECURITY_PREFECTURE,
                                        name_fr="R", name_ar="R", name_en="R")
    units = [Directorate(code=f"BENCH-{i:03d}", kind=Directorate.Kind.PROVINCIAL_SECURITY, parent=region,
                         name_fr=f"U{i}", name_ar=f"U{i}", name_en=f"U{i}", path=f"BENCH-R/BENCH-{i:03d}/")
             for i in range(UNITS)]
    Directorate.objects.bulk_create(units)
    office = User.objects.create(username="bench-office", org_role=User.OrgRole.REVIEWER)
    content = _xlsx(units)
    print(f"   file: {ROWS} deliverable rows, {UNITS} units, {len(content) / 1024:.0f} KB .xlsx")

    # Fast path, timed (no tracing), then traced for memory on the same work (undone in between).
    with transaction.atomic():
        job, preview, apply_ = _fast(office, content, trace=False)
        created = Deliverable.objects.filter(year=YEAR).count()
        history = Deliverable.history.filter(history_change_reason=job.history_reason).count()
        # Idempotence: the same file again changes nothing.
        again = _record(office, content)
        again, t_again, _m, q_again = _measure("again", lambda: services.import_preview(job=again), trace=False)
        transaction.set_rollback(True)
    with transaction.atomic():
        _job2, preview_m, apply_m = _fast(office, content, trace=True)
        transaction.set_rollback(True)
    print(f"   fast preview : {preview[0]:6.2f} s (CPU {preview[3]:.2f} s), peak {_mb(preview_m[1])}, {preview[2]}")
    print(f"   fast confirm : {apply_[0]:6.2f} s (CPU {apply_[3]:.2f} s), peak {_mb(apply_m[1])}, {apply_[2]}")
    total_fast = preview[0] + apply_[0]
    print(f"   fast total   : {total_fast:6.2f} s (CPU {preview[3] + apply_[3]:.2f} s)  ({created} deliverables "
          f"created, {history} history rows; every row validated)")
    print(f"   re-import    : {t_again:6.2f} s, {again.counts['skip']} unchanged, {again.counts['new']} new, "
          f"{again.counts['update']} updated, {q_again}")

    # django-import-export at its defaults: a query (or more) per row.
    with transaction.atomic():
        _r, t_dp, _m, q_dp = _default(content, dry_run=True, trace=False)
        transaction.set_rollback(True)
    cpu_default = _CPU["default"]
    with transaction.atomic():
        _r, t_da, _m, q_da = _default(content, dry_run=False, trace=False)
        transaction.set_rollback(True)
    print(f"   default preview (dry run): {t_dp:6.2f} s (CPU {cpu_default:.2f} s), {q_dp}")
    print(f"   default import           : {t_da:6.2f} s (CPU {_CPU['default']:.2f} s), {q_da}")
    total_default = t_dp + t_da
    cpu_default += _CPU["default"]
    print(f"   default total: {total_default:6.2f} s -> fast path is {total_default / total_fast:.1f}x faster "
          f"(CPU: {cpu_default / (preview[3] + apply_[3]):.1f}x; aim: < 3 s and >= 5x)")
