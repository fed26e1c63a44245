"""Shared by the import benchmarks: the fast path vs django-import-export at its defaults, on one file.

Prints, for each step: wall time, CPU time (the machine is shared, wall time is noisy), peak memory
(tracemalloc, measured in a second identical pass so that tracing does not inflate the timings) and
the SQL queries run, by kind.
"""

import shutil
import tempfile
import time
import tracemalloc
from collections import Counter

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from transfers import services
from transfers.models import ImportJob


class QueryCounter:
    """Counts every SQL statement by its first word."""

    def __init__(self):
        self.counts = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.counts[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    def __str__(self):
        total = sum(self.counts.values())
        return f"{total} queries ({', '.join(f'{k} {n}' for k, n in sorted(self.counts.items()))})"


class Measure:
    def __init__(self, func, *, trace=False):
        counter = QueryCounter()
        if trace:
            tracemalloc.start()
        with connection.execute_wrapper(counter):
            started, cpu_started = time.perf_counter(), time.process_time()
            self.result = func()
            self.seconds = time.perf_counter() - started
            self.cpu = time.process_time() - cpu_started
        self.peak = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
        self.queries = str(counter)

    @property
    def peak_mb(self):
        return f"{self.peak / 1048576:.0f} MB" if self.peak is not None else "-"


def with_media(func):
    """Run ``func`` with uploads kept in a throwaway folder."""
    media = tempfile.mkdtemp()
    settings.MEDIA_ROOT = media
    try:
        return func()
    finally:
        shutil.rmtree(media, ignore_errors=True)


def record_job(kind, actor, content):
    job = ImportJob(
        kind=kind,
        created_by=actor,
        created_at=timezone.now(),
        original_name="bench.xlsx",
        file_format="xlsx",
        size=len(content),
    )
    job.file.save("bench.xlsx", SimpleUploadedFile("bench.xlsx", content), save=False)
    job.save()
    return job


def _fast(kind, actor, content, *, trace):
    job = record_job(kind, actor, content)
    preview = Measure(lambda: services.import_preview(job=job), trace=trace)
    job = preview.result
    assert job.state == ImportJob.State.PREVIEW and job.error_count == 0, (job.message, job.row_errors[:3])
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.APPLYING)
    job.refresh_from_db()
    apply_ = Measure(lambda: services.import_apply(job=job), trace=trace)
    assert apply_.result.state == ImportJob.State.APPLIED, (apply_.result.message, apply_.result.row_errors[:3])
    return apply_.result, preview, apply_


def compare(*, kind, noun, model, year, actor, content, default_import):
    """Time the fast path (preview + confirm, then a re-import) against ``default_import(dry_run)``.

    Every measured run is rolled back, so each starts from the same database.
    """
    with transaction.atomic():
        job, preview, apply_ = _fast(kind, actor, content, trace=False)
        created = model.objects.filter(year=year).count()
        history = model.history.filter(history_change_reason=job.history_reason).count()
        again_job = record_job(kind, actor, content)
        again = Measure(lambda: services.import_preview(job=again_job))
        transaction.set_rollback(True)
    with transaction.atomic():
        _job, preview_m, apply_m = _fast(kind, actor, content, trace=True)
        transaction.set_rollback(True)
    fast_seconds, fast_cpu = preview.seconds + apply_.seconds, preview.cpu + apply_.cpu
    print(
        f"   fast preview : {preview.seconds:6.2f} s (CPU {preview.cpu:.2f} s), peak {preview_m.peak_mb}, "
        f"{preview.queries}"
    )
    print(
        f"   fast confirm : {apply_.seconds:6.2f} s (CPU {apply_.cpu:.2f} s), peak {apply_m.peak_mb}, {apply_.queries}"
    )
    print(
        f"   fast total   : {fast_seconds:6.2f} s (CPU {fast_cpu:.2f} s)  ({created} {noun} created, "
        f"{history} history rows; every row validated)"
    )
    counts = again.result.counts
    print(
        f"   re-import    : {again.seconds:6.2f} s, {counts['skip']} unchanged, {counts['new']} new, "
        f"{counts['update']} updated, {again.queries}"
    )

    runs = []
    for dry_run in (True, False):
        with transaction.atomic():
            runs.append(Measure(lambda dry_run=dry_run: default_import(dry_run=dry_run)))
            transaction.set_rollback(True)
    dry, real = runs
    print(f"   default preview (dry run): {dry.seconds:6.2f} s (CPU {dry.cpu:.2f} s), {dry.queries}")
    print(f"   default import           : {real.seconds:6.2f} s (CPU {real.cpu:.2f} s), {real.queries}")
    default_seconds, default_cpu = dry.seconds + real.seconds, dry.cpu + real.cpu
    print(
        f"   default total: {default_seconds:6.2f} s -> fast path is {default_seconds / fast_seconds:.1f}x faster "
        f"(CPU: {default_cpu / fast_cpu:.1f}x; aim: < 3 s and >= 5x)"
    )


def import_with_default_resource(resource, headers, content, *, dry_run):
    """django-import-export's own import, as its documentation shows it (a query or more per row)."""
    from import_export.formats.base_formats import XLSX

    dataset = XLSX().create_dataset(content)
    dataset.headers = list(headers)
    result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors(), (
        result.base_errors[:1],
        result.invalid_rows[:1],
        list(result.row_errors())[:1],
    )
    return result
