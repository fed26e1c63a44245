"""Imports of spreadsheets: one ImportJob per uploaded file, kept with its preview and its outcome."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def import_file_path(instance, filename):
    # The stored name is ours, never the uploader's (no path tricks); the original name is kept apart.
    extension = instance.file_format
    return f"imports/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.{extension}"


def import_rows_path(instance, filename):
    return f"imports/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.json"


class ImportJob(models.Model):
    """One uploaded spreadsheet: who sent it, when, which file (kept), its preview and what it changed."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being checked")
        PREVIEW = "preview", _("Preview ready")
        APPLYING = "applying", _("Being applied")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"))
    # Blank once removed after IMPORT_FILE_RETENTION_DAYS (files_removed_at says when).
    file = models.FileField(_("file"), upload_to=import_file_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    size = models.PositiveIntegerField(_("size"))
    # The rows as read from the file at preview (JSON): applying re-validates them without parsing the
    # spreadsheet a second time. Derived data; the original file above stays the record.
    rows_file = models.FileField(upload_to=import_rows_path, blank=True, editable=False)
    # Restriction chosen at upload (editors import into one year of their own unit).
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    # {"total", "new", "update", "skip", "invalid", "error"}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # [{"row", "column", "value", "message"}], capped; error_count holds the true total.
    row_errors = models.JSONField(_("row errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of errors"), default=0)
    # The language the messages above are written in (the page the file was sent from): the import's
    # page shows them in the reader's language (core.retranslation.retranslate).
    language = models.CharField(_("language"), max_length=8, blank=True, editable=False)
    message = models.TextField(_("message"), blank=True, help_text=_("Why the file was refused, if it was."))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    previewed_at = models.DateTimeField(_("previewed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # When the running step (check or apply) was last handed to the task queue; empty while the queue
    # could not be reached. The sweeper (services.import_sweep) hands it again, or fails the job,
    # when it is not done IMPORT_STUCK_AFTER_MINUTES later; attempts counts the hand-overs.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    files_removed_at = models.DateTimeField(_("files removed at"), null=True, blank=True)

    # Every state change (checked, confirmed, applied, failed, retried, queued again) leaves a row;
    # the row errors and the progress are not history.
    history = HistoricalRecords(excluded_fields=["row_errors", "progress"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.original_name}"

    @property
    def kind_label(self):
        from transfers import kinds

        kind = kinds.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def is_running(self):
        return self.state in (self.State.PENDING, self.State.APPLYING)

    @property
    def can_confirm(self):
        return (
            self.state == self.State.PREVIEW
            and self.error_count == 0
            and (self.counts.get("new", 0) + self.counts.get("update", 0) > 0)
        )

    @property
    def rows_with_errors(self):
        return (self.counts or {}).get("invalid", 0) + (self.counts or {}).get("error", 0)

    @property
    def can_retry(self):
        return self.state == self.State.FAILED and bool(self.file) and self.files_removed_at is None

    @property
    def history_reason(self):
        """The change reason written on every history row this import creates."""
        return f"import #{self.pk}"
