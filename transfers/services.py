"""Imports and exports: every write and rule of the transfers app.

An import is a preview first (``import_preview``: nothing is written), then, once its owner confirms
a preview without errors (``import_confirm``), applied all or nothing in one transaction
(``import_apply``). Both run in Celery tasks (eager in the embedded default and in tests).
"""

import datetime
import io
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import tablib
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit, queue
from core.cells import formula_safe
from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from core.i18n import active_language
from directorates.models import User
from transfers import kinds, readers
from transfers.models import ImportJob

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1000
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class _Rollback(Exception):
    """Raised inside the apply transaction to undo everything when any row fails."""


# ---------------------------------------------------------------- progress (visible outside the transaction)


def _progress_key(job_id: int) -> str:
    return f"transfers:import:{job_id}:progress"


def set_progress(job_id: int, percent: float) -> None:
    try:
        cache.set(_progress_key(job_id), int(percent), timeout=3600)
    except Exception:  # the cache (Redis) unreachable: progress is a nicety, the import goes on
        logger.warning("progress of import #%s not recorded", job_id, exc_info=True)


def get_progress(job: ImportJob) -> int:
    if not job.is_running:
        return 100 if job.state != ImportJob.State.FAILED else job.progress
    try:
        return cache.get(_progress_key(job.pk), job.progress)
    except Exception:  # the cache unreachable: the page still answers
        return job.progress


# ---------------------------------------------------------------- queueing, sweeping, retrying


def _waiting_message() -> str:
    return _("The task queue cannot be reached: the import will start by itself as soon as it is back.")


def _task_for(state: str) -> Any:
    from transfers import tasks

    return tasks.preview_import if state == ImportJob.State.PENDING else tasks.apply_import


def _hand_over(job_id: int, state: str) -> None:
    """Queue the job's step; if the queue is unreachable, say so on the job (the sweeper retries)."""
    if not queue.enqueue(_task_for(state), job_id):
        ImportJob.objects.filter(pk=job_id, state=state).update(queued_at=None, message=_waiting_message())


def _queue_on_commit(job: ImportJob) -> None:
    transaction.on_commit(lambda: _hand_over(job.pk, job.state))


def stuck_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.IMPORT_STUCK_AFTER_MINUTES)


def import_sweep(*, now: datetime.datetime | None = None, batch: int = 200) -> dict[str, Any]:
    """Hand again the jobs the queue never took or lost, fail those tried too often, remove old files.

    A running job (being checked or applied) whose step could not be queued is queued again at once;
    one queued more than IMPORT_STUCK_AFTER_MINUTES ago and not done (worker killed, queue emptied) is
    queued again, up to IMPORT_MAX_ATTEMPTS hand-overs, then failed with a message. Each job is
    claimed with a conditional update, so two sweepers (two beats by mistake) never queue it twice.
    Returns {"requeued": [...ids], "failed": [...ids], "files_removed": n}.
    """
    now = now or timezone.now()
    running = [ImportJob.State.PENDING, ImportJob.State.APPLYING]
    due = (
        ImportJob.objects.filter(state__in=running)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - stuck_after()))
        .order_by("pk")
        .values("pk", "state", "queued_at", "attempts")[:batch]
    )
    requeued: list[int] = []
    failed: list[int] = []
    for row in due:
        same = ImportJob.objects.filter(pk=row["pk"], state=row["state"], queued_at=row["queued_at"])
        if row["queued_at"] is not None and row["attempts"] >= settings.IMPORT_MAX_ATTEMPTS:
            message = _(
                "The import did not finish after %(attempts)s attempts (a worker or the task queue was "
                "lost). Nothing was saved: use “Retry” to try again."
            ) % {"attempts": row["attempts"]}
            if same.update(state=ImportJob.State.FAILED, message=message):
                failed.append(row["pk"])
                _record(row["pk"], reason="stuck")
            continue
        if not same.update(queued_at=now, attempts=F("attempts") + 1, message=""):
            continue  # another sweeper, or the worker, got there first
        if queue.enqueue(_task_for(row["state"]), row["pk"]):
            requeued.append(row["pk"])
        else:  # still unreachable: leave it waiting, without counting the attempt
            ImportJob.objects.filter(pk=row["pk"], state=row["state"]).update(
                queued_at=None, attempts=F("attempts") - 1, message=_waiting_message()
            )
            break  # the queue is down: the others would fail the same way
    removed = import_remove_old_files(now=now)
    if requeued or failed:
        logger.warning("import sweep: requeued %s, failed %s", requeued, failed)
    return {"requeued": requeued, "failed": failed, "files_removed": removed}


def _delete_stored(*files: FieldFile) -> None:
    for field in files:
        if field:
            try:
                field.storage.delete(field.name)  # type: ignore[arg-type]  # truthy: it has a name
            except Exception:  # already gone, or storage briefly unavailable: the next sweep tries again
                logger.warning("could not delete %s", field.name, exc_info=True)


def import_remove_old_files(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Remove the uploaded file and rows snapshot of jobs older than IMPORT_FILE_RETENTION_DAYS.

    The job itself (who, when, counts, errors, what it changed) is kept. A preview never confirmed is
    closed as failed. Running jobs are left alone. Returns how many jobs had their files removed.
    """
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    old = (
        ImportJob.objects.filter(created_at__lt=limit, files_removed_at__isnull=True)
        .exclude(state__in=[ImportJob.State.PENDING, ImportJob.State.APPLYING])
        .order_by("pk")[:batch]
    )
    count = 0
    for job in old:
        _delete_stored(job.file, job.rows_file)
        changes: dict[str, Any] = {"file": "", "rows_file": "", "files_removed_at": now}
        if job.state == ImportJob.State.PREVIEW:
            changes.update(
                state=ImportJob.State.FAILED,
                message=_("The preview was never confirmed; its file was removed after %(days)s days.")
                % {"days": settings.IMPORT_FILE_RETENTION_DAYS},
            )
        count += ImportJob.objects.filter(pk=job.pk, state=job.state).update(**changes)
    return count


@transaction.atomic
def import_retry(*, actor: User, job: ImportJob) -> ImportJob:
    """Start a failed import again from its uploaded file: checked again, then confirmed again."""
    if job.created_by_id != actor.pk and not actor.is_superuser:
        raise NotAllowed(_("Only the person who uploaded the file may retry its import."))
    if job.state == ImportJob.State.FAILED and not job.can_retry:
        raise ValidationFailed(_("The file of this import was removed: upload it again."))
    rows_file = job.rows_file
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.FAILED).update(
        state=ImportJob.State.PENDING,
        message="",
        counts={},
        row_errors=[],
        error_count=0,
        progress=0,
        previewed_at=None,
        confirmed_by=None,
        applied_at=None,
        rows_file="",
        queued_at=timezone.now(),
        attempts=1,
    )
    if not claimed:
        raise InvalidTransition(_("Only a failed import can be retried."))
    transaction.on_commit(lambda: _delete_stored(rows_file))
    job.refresh_from_db()
    _record(job.pk, actor=actor, reason="retry")
    _queue_on_commit(job)
    return job


def _record(job_id: int, *, actor: User | None = None, reason: str = "") -> None:
    """A history row for a state change made with a conditional update (which bypasses signals)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        audit.record_update([job], actor=actor, reason=reason)


# ---------------------------------------------------------------- import


@transaction.atomic
def import_start(*, actor: User, kind_key: str, uploaded_file: File, year: int | None = None) -> ImportJob:
    """Record an upload and queue its preview. Refuses at once what can be told without reading it."""
    kind = kinds.get(kind_key)
    if kind is None or not kind.importable:
        raise ValidationFailed(_("Unknown import kind."))
    if not kind.may_import(actor):
        raise NotAllowed(_("You may not import %(kind)s.") % {"kind": str(kind.label).lower()})
    if kind.requires_year(actor) and not year:
        raise ValidationFailed(_("Choose the year to import into."), errors={"year": [_("This field is required.")]})
    name = (getattr(uploaded_file, "name", "") or "upload").rsplit("/", 1)[-1][:255]
    fmt = readers.file_format(name)
    readers.check_size(uploaded_file.size)
    now = timezone.now()
    job = ImportJob(
        kind=kind.key,
        created_by=actor,
        created_at=now,
        original_name=name,
        file_format=fmt,
        size=uploaded_file.size,
        year=year or None,
        queued_at=now,
        attempts=1,
        language=(translation.get_language() or actor.language or settings.LANGUAGE_CODE)[:8],
    )
    job.file.save(name, uploaded_file, save=False)
    job.save()
    # Never a failed upload because the queue is down: the job is kept and queued later by the sweeper.
    _queue_on_commit(job)
    return job


def _resource(job: ImportJob, *, progress_range: tuple[float, float]) -> Any:
    kind = kinds.get(job.kind)
    low, high = progress_range

    def progress(done: int, total: int) -> None:
        set_progress(job.pk, low + (high - low) * done / max(total, 1))

    return kind.import_resource(actor=job.created_by, year=job.year, reason=job.history_reason, progress=progress)


def _read(job: ImportJob) -> Any:
    """The file's rows: parsed from the spreadsheet once (at preview), then from the rows snapshot."""
    if job.rows_file:
        with job.rows_file.open("rb") as handle:
            return readers.dataset_from_json(handle.read())
    kind = kinds.get(job.kind)
    with job.file.open("rb") as handle:
        data = handle.read()
    dataset = readers.read_dataset(io.BytesIO(data), fmt=job.file_format, kind=kind)
    job.rows_file.save(f"{job.pk}.json", ContentFile(readers.dataset_to_json(dataset)), save=False)
    ImportJob.objects.filter(pk=job.pk).update(rows_file=job.rows_file.name)
    return dataset


def _collect(job: ImportJob, result: Any, dataset: Any) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Counts and row errors (row, column, value, message) from a django-import-export Result."""
    kind = kinds.get(job.kind)
    resource_fields = kind.import_resource.fields
    labels = {column.key: str(column.label) for column in kind.columns}
    column_of = {name: field.column_name for name, field in resource_fields.items()}
    column_of.update({field.attribute: field.column_name for field in resource_fields.values() if field.attribute})
    errors: list[dict[str, Any]] = []
    numbers = dataset[readers.ROW_KEY] if len(dataset) else []
    for invalid in result.invalid_rows:
        row_number = numbers[invalid.number - 1]
        for attribute, messages in invalid.error_dict.items():
            column = column_of.get(attribute, "") if attribute != NON_FIELD_ERRORS else ""
            value = invalid.values[dataset.headers.index(column)] if column in dataset.headers else ""
            for message in messages:
                errors.append(
                    {
                        "row": row_number,
                        "column": labels.get(column, ""),
                        "value": _shown(value),
                        "message": str(message),
                    }
                )
    for number, error_row in result.row_errors():
        for error in error_row:
            logger.warning("import #%s row %s failed: %r", job.pk, number, error.error)
            errors.append(
                {
                    "row": numbers[number - 1],
                    "column": "",
                    "value": "",
                    "message": _("This row could not be imported (%(error)s).") % {"error": type(error.error).__name__},
                }
            )
    for error in result.base_errors:
        logger.warning("import #%s failed: %r", job.pk, error.error)
        errors.append(
            {
                "row": None,
                "column": "",
                "value": "",
                "message": _("The file could not be saved: %(error)s") % {"error": error.error},
            }
        )
    errors.sort(key=lambda e: e["row"] or 0)
    totals = result.totals
    counts = {
        "total": result.total_rows,
        "new": totals.get("new", 0),
        "update": totals.get("update", 0),
        "skip": totals.get("skip", 0),
        "invalid": totals.get("invalid", 0),
        "error": totals.get("error", 0),
    }
    return counts, errors


def _shown(value: object) -> str:
    """A cell value as the user typed it (a date cell without its midnight time)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, str) and value.endswith(" 00:00:00"):
        return value[:-9]
    return str(value)


def _fail(
    job: ImportJob,
    message: object,
    *,
    errors: list[dict[str, Any]] | None = None,
    counts: dict[str, int] | None = None,
) -> ImportJob:
    job.state = ImportJob.State.FAILED
    job.message = str(message)
    if errors is not None:
        job.row_errors = errors[:MAX_STORED_ERRORS]
        job.error_count = len(errors)
    if counts is not None:
        job.counts = counts
    job.save(update_fields=["state", "message", "row_errors", "error_count", "counts"])
    _drop_rows_file(job)
    return job


def _drop_rows_file(job: ImportJob) -> None:
    """The rows snapshot only serves to apply: once a job is applied or failed it is deleted (it can be
    as large as the spreadsheet's content); a retry reads the uploaded file again."""
    rows_file = ImportJob.objects.filter(pk=job.pk).values_list("rows_file", flat=True).first()
    if rows_file:
        ImportJob.objects.filter(pk=job.pk).update(rows_file="")
        field = ImportJob._meta.get_field("rows_file")
        transaction.on_commit(lambda: _delete_name(field.storage, rows_file))


def _delete_name(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.warning("could not delete %s", name, exc_info=True)


def import_preview(*, job: ImportJob) -> ImportJob:
    """Read and validate every row without writing anything; store counts and row errors. Idempotent."""
    if job.state != ImportJob.State.PENDING:
        return job
    set_progress(job.pk, 5)
    try:
        dataset = _read(job)
    except readers.FileRejected as error:
        return _fail(job, error.message)
    set_progress(job.pk, 20)
    resource = _resource(job, progress_range=(20, 95))
    result = resource.import_data(dataset, dry_run=True, use_transactions=True, raise_errors=False)
    counts, errors = _collect(job, result, dataset)
    job.counts = counts
    job.row_errors = errors[:MAX_STORED_ERRORS]
    job.error_count = len(errors)
    job.state = ImportJob.State.PREVIEW
    job.previewed_at = timezone.now()
    job.progress = 100
    job.message = ""
    job.save(update_fields=["counts", "row_errors", "error_count", "state", "previewed_at", "progress", "message"])
    return job


@transaction.atomic
def import_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the application of a preview without errors. Only the person who uploaded it may confirm."""
    if job.created_by_id != actor.pk:
        raise NotAllowed(_("Only the person who uploaded the file may confirm its import."))
    if job.state == ImportJob.State.PREVIEW and job.error_count:
        raise ValidationFailed(_("The file has errors: correct them and upload it again. Nothing was saved."))
    if job.state == ImportJob.State.PREVIEW and not job.can_confirm:
        raise ValidationFailed(_("The file changes nothing: there is nothing to apply."))
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.PREVIEW).update(
        state=ImportJob.State.APPLYING,
        confirmed_by=actor,
        progress=0,
        queued_at=timezone.now(),
        attempts=1,
    )
    if not claimed:
        raise InvalidTransition(_("This import is not waiting for confirmation."))
    job.refresh_from_db()
    _record(job.pk, actor=actor, reason="confirm")
    _queue_on_commit(job)
    return job


def import_apply(*, job: ImportJob) -> ImportJob:
    """Apply a confirmed import all or nothing: any row error (even in the last row) saves nothing.

    The rows are validated again: the database may have changed since the preview.
    Idempotent: a job that is no longer "applying" is left as it is.
    """
    if job.state != ImportJob.State.APPLYING:
        return job
    set_progress(job.pk, 5)
    try:
        dataset = _read(job)
    except readers.FileRejected as error:
        return _fail(job, error.message)
    set_progress(job.pk, 20)
    resource = _resource(job, progress_range=(20, 95))
    counts: dict[str, int] | None = None
    errors: list[dict[str, Any]] | None = None
    try:
        with transaction.atomic():
            # One apply at a time: a job queued again (sweeper, broker redelivery) waits here, then
            # finds it applied and changes nothing.
            if not ImportJob.objects.select_for_update().filter(pk=job.pk, state=ImportJob.State.APPLYING).exists():
                raise _Rollback
            result = resource.import_data(
                dataset,
                dry_run=False,
                use_transactions=True,
                raise_errors=False,
                rollback_on_validation_errors=True,
            )
            counts, errors = _collect(job, result, dataset)
            if errors:
                raise _Rollback
            claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.APPLYING).update(
                state=ImportJob.State.APPLIED,
                applied_at=timezone.now(),
                counts=counts,
                row_errors=[],
                error_count=0,
                progress=100,
            )
            if not claimed:
                raise _Rollback
            _record(job.pk, actor=job.confirmed_by, reason="applied")
            _drop_rows_file(job)
    except _Rollback:
        job.refresh_from_db()
        if job.state != ImportJob.State.APPLYING:
            return job
        return _fail(job, _("Nothing was saved: some rows are no longer valid."), errors=errors, counts=counts)
    job.refresh_from_db()
    return job


def import_fail_unexpectedly(*, job_id: int) -> None:
    """A task crashed: say so on the job rather than leave it running forever."""
    if ImportJob.objects.filter(pk=job_id, state__in=[ImportJob.State.PENDING, ImportJob.State.APPLYING]).update(
        state=ImportJob.State.FAILED, message=_("The import stopped on an unexpected error. Nothing was saved.")
    ):
        _record(job_id, reason="crashed")
        _drop_rows_file(ImportJob(pk=job_id))


# ---------------------------------------------------------------- export and templates

# Spreadsheet programs split a .csv on the list separator of their locale: ";" in French (where the comma
# is the decimal mark), "," in English. The reader accepts either (transfers.readers sniffs the delimiter).
CSV_DELIMITERS = {"fr": ";"}


def csv_delimiter(language: str | None = None) -> str:
    return CSV_DELIMITERS.get(active_language(language), ",")


def _render(kind: kinds.Kind, rows: Iterable[Sequence[object]], fmt: str) -> bytes:
    dataset = tablib.Dataset(headers=kind.headers(), title=str(kind.label)[:31])
    for row in rows:
        dataset.append([formula_safe(value) for value in row])
    if fmt == "xlsx":
        return dataset.export("xlsx")
    # the BOM makes Excel read UTF-8
    return ("\ufeff" + dataset.export("csv", delimiter=csv_delimiter())).encode("utf-8")


def _with_allowed_values(kind: kinds.Kind, content: bytes) -> bytes:
    """The .xlsx template with a sheet listing each coded column's values (code and label in the reader's
    language), and a drop-down list on those columns (a help, not a lock: labels in any language and
    codes typed by hand are accepted too)."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    coded = kind.coded_columns()
    if not coded:
        return content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    data = workbook.worksheets[0]
    sheet = workbook.create_sheet(str(_("Allowed values"))[:31])
    quoted = sheet.title.replace("'", "''")
    for index, (column, values) in enumerate(coded):
        code_col, label_col = 2 * index + 1, 2 * index + 2
        sheet.cell(row=1, column=code_col, value=str(column.label))
        sheet.cell(row=1, column=label_col, value=str(_("Meaning")))
        for row, (code, label) in enumerate(values, start=2):
            sheet.cell(row=row, column=code_col, value=code)
            sheet.cell(row=row, column=label_col, value=label)
        letter = get_column_letter(code_col)
        sheet.column_dimensions[letter].width = max([len(code) for code, _label in values] + [12]) + 2
        sheet.column_dimensions[get_column_letter(label_col)].width = 40
        validation = DataValidation(
            type="list",
            formula1=f"'{quoted}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        data.add_data_validation(validation)
        target = get_column_letter(kind.columns.index(column) + 1)
        validation.add(f"{target}2:{target}1000")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_file(*, user: User, kind_key: str, fmt: str) -> bytes:
    """The rows of ``kind`` the user may see, as .xlsx or .csv bytes; headers in the user's language."""
    kind = kinds.get(kind_key)
    if kind is None or fmt not in readers.FORMATS:
        raise ValidationFailed(_("Unknown export."))
    if not user.is_authenticated:
        raise NotAllowed(_("Log in to export."))
    resource = kind.export_resource()
    data = resource.export(queryset=kind.export_queryset(user))
    return _render(kind, (row for row in data), fmt)


def template_file(*, kind_key: str, fmt: str) -> bytes:
    """An import file with the right (translated) headers and the kind's example rows."""
    kind = kinds.get(kind_key)
    if kind is None or not kind.importable or fmt not in readers.FORMATS:
        raise ValidationFailed(_("Unknown template."))
    content = rows_file(kind_key=kind_key, rows=kind.example_rows, fmt=fmt)
    return _with_allowed_values(kind, content) if fmt == "xlsx" else content


def rows_file(*, kind_key: str, rows: Iterable[Sequence[object]], fmt: str) -> bytes:
    """Rows (tuples in the kind's column order) as an import file in the templates' format."""
    kind = kinds.get(kind_key)
    rows = [
        [value.isoformat() if hasattr(value, "isoformat") and fmt == "csv" else value for value in row] for row in rows
    ]
    return _render(kind, rows, fmt)


def file_name(kind_key: str, fmt: str, suffix: str = "") -> str:
    return f"{kind_key}{suffix}-{timezone.localdate():%Y-%m-%d}.{fmt}"
