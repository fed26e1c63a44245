"""The year: review cycles, a unit's annual report and its parts, and the report's events."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TransitionEvent
from directorates.models import Deliverable, Directorate


class ReviewCycle(models.Model):
    """One year's review: from opening to the year-end meeting (réunion annuelle d'évaluation)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    submission_deadline = models.DateField(_("submission deadline"))
    meeting_date = models.DateField(_("meeting date"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        permissions = [("manage_cycles", "Can manage review cycles (open, close, reminders)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_date__gte=models.F("submission_deadline")), name="meeting_after_deadline"
            ),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="cycle_year_range"),
        ]

    def __str__(self):
        return str(self.year)

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    def is_past_deadline(self, today=None):
        return (today or timezone.localdate()) > self.submission_deadline


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    LOCKED = "locked", _("Locked")


# The allowed moves. Services check them; the UI reads them to show only the buttons that apply.
REPORT_TRANSITIONS: dict[str, set[str]] = {
    ReportState.DRAFT: {ReportState.SUBMITTED, ReportState.LOCKED},
    ReportState.SUBMITTED: {ReportState.RETURNED, ReportState.ACCEPTED, ReportState.LOCKED},
    ReportState.RETURNED: {ReportState.SUBMITTED, ReportState.LOCKED},
    ReportState.ACCEPTED: {ReportState.LOCKED},
    ReportState.LOCKED: set(),
}
EDITABLE_STATES = {ReportState.DRAFT, ReportState.RETURNED}


class ReportQuerySet(models.QuerySet):
    def with_completeness(self):
        """Annotate the number of deliverables of the cahier des charges and how many have an outcome."""
        deliverables = Deliverable.objects.filter(
            directorate=models.OuterRef("directorate"), year=models.OuterRef("cycle__year")
        )
        filled = Outcome.objects.filter(report=models.OuterRef("pk")).exclude(status="")
        # Coalesce: a unit with no deliverable (or no outcome stated) counts 0, not NULL, so that
        # Report.completeness does not take the row for one read without the annotation and count again.
        return self.annotate(
            deliverable_count=Coalesce(
                models.Subquery(
                    deliverables.order_by().values("directorate").annotate(n=models.Count("pk")).values("n")[:1],
                    output_field=models.IntegerField(),
                ),
                0,
            ),
            filled_count=Coalesce(
                models.Subquery(
                    filled.order_by().values("report").annotate(n=models.Count("pk")).values("n")[:1],
                    output_field=models.IntegerField(),
                ),
                0,
            ),
        )


class Report(models.Model):
    """A unit's annual report for a cycle (rapport annuel / bilan de l'unité)."""

    State = ReportState
    # Not a column: the event of the move just made, set by reviews.services._transition.
    last_event: "ReportEvent"

    cycle = models.ForeignKey(ReviewCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="reports")
    directorate = models.ForeignKey(
        Directorate, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports"
    )
    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_late = models.BooleanField(_("submitted late"), default=False)
    # The date of the latest extension the DG's office granted; written only by
    # reviews.services.report_extend_deadline, which also keeps the DeadlineExtension row.
    extended_until = models.DateField(_("deadline extended to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    # Optimistic concurrency: a save based on an older version is refused instead of overwriting.
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__year", "directorate__path"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        permissions = [("review_report", "Can review annual reports (return, accept)")]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "directorate"], name="one_report_per_unit_and_cycle"),
        ]

    def __str__(self):
        return f"{self.directorate.code} {self.cycle.year}"

    @property
    def year(self):
        return self.cycle.year

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def deadline(self):
        """The unit's own submission date: the cycle's, or the extension granted to it."""
        return self.extended_until or self.cycle.submission_deadline

    def is_past_deadline(self, today=None):
        return (today or timezone.localdate()) > self.deadline

    def is_late(self, today=None):
        """Submitted after its deadline, or not yet submitted and its deadline is past."""
        if self.first_submitted_at is not None:
            return self.submitted_late
        return self.is_past_deadline(today)

    @property
    def late(self):
        return self.is_late()

    @property
    def last_return(self):
        """The event that returned the report, while it is returned: its comment, author and time.

        Reads the events through ``events.all()`` so that a prefetched detail queryset costs no query.
        """
        if self.state != ReportState.RETURNED:
            return None
        returns = [e for e in self.events.all() if e.new_state == ReportState.RETURNED and not e.marks_ready]
        return returns[-1] if returns else None

    @property
    def completeness(self):
        """Share (0–100) of the cahier des charges' deliverables that have an outcome."""
        total = getattr(self, "deliverable_count", None)
        filled = getattr(self, "filled_count", None)
        if total is None:
            total = Deliverable.objects.filter(directorate_id=self.directorate_id, year=self.cycle.year).count()
            filled = self.outcomes.exclude(status="").count()
        if not total:
            return 100
        return round(100 * (filled or 0) / total)


class Outcome(models.Model):
    """What became of one deliverable of the cahier des charges."""

    class Status(models.TextChoices):
        NONE = "", _("Not yet stated")
        DONE = "done", _("Done")
        PARTIAL = "partial", _("Partly done")
        NOT_DONE = "not_done", _("Not done")
        DROPPED = "dropped", _("Dropped")

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="outcomes")
    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.PROTECT, related_name="outcomes"
    )
    status = models.CharField(_("outcome"), max_length=16, choices=Status.choices, blank=True)
    percent_done = models.PositiveSmallIntegerField(_("percentage done"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["deliverable__due_date", "deliverable_id"]
        verbose_name = _("deliverable outcome")
        verbose_name_plural = _("deliverable outcomes")
        constraints = [
            models.UniqueConstraint(fields=["report", "deliverable"], name="one_outcome_per_deliverable"),
            models.CheckConstraint(
                condition=Q(percent_done__isnull=True) | Q(percent_done__lte=100), name="percent_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.deliverable.title}: {self.get_status_display()}"


def attachment_path(instance, filename):
    today = datetime.date.today()
    return f"attachments/{today:%Y/%m}/{instance.stored_name}"


class Attachment(models.Model):
    """Evidence file for an outcome. Private: downloaded only through a permission check."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("deliverable outcome"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    stored_name = models.CharField(_("stored as"), max_length=64, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class Achievement(models.Model):
    """An achievement beyond the cahier des charges (réalisation)."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="achievements")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")

    def __str__(self):
        return self.title


class ReportConstraint(models.Model):
    """A challenge or constraint met during the year (contrainte / إكراه), and what would lift it."""

    class Category(models.TextChoices):
        HUMAN_RESOURCES = "human_resources", _("Human resources")
        BUDGET = "budget", _("Budget")
        EQUIPMENT = "equipment", _("Equipment")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        LEGAL = "legal", _("Legal framework")
        COORDINATION = "coordination", _("Coordination")
        OTHER = "other", _("Other")

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="constraints")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    description = models.TextField(_("description"))
    remedy = models.TextField(_("what would lift it"), blank=True)
    needs_action = models.BooleanField(
        _("needs action next year"), default=False, help_text=_("Compiled into next year's roadmap.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("challenge or constraint")
        verbose_name_plural = _("challenges and constraints")

    def __str__(self):
        return f"{self.get_category_display()}: {self.description[:60]}"


class DeadlineExtension(models.Model):
    """A later submission date granted by the DG's office to one unit's report (prorogation du délai)."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="extensions")
    previous_deadline = models.DateField(_("previous deadline"))
    until = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        ordering = ["granted_at", "id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.CheckConstraint(condition=Q(until__gt=models.F("previous_deadline")), name="extension_is_later"),
        ]

    def __str__(self):
        return f"{self.report}: {self.previous_deadline} → {self.until}"


class ReportEvent(TransitionEvent):
    """One state change of a report: who, when, from what to what, and why."""

    subject = "report"
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    old_state = models.CharField(max_length=16, choices=ReportState.choices)
    new_state = models.CharField(max_length=16, choices=ReportState.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    @property
    def marks_ready(self):
        """An editor said the report is ready for the head to submit (reviews.services.report_mark_ready)."""
        return self.old_state == self.new_state


class ReviewItem(models.Model):
    """One item of a report that the DG's office flagged when returning it (point à corriger), with why.

    ``item_id`` identifies the item as the report's detail does: the deliverable for an outcome, the
    figure, the achievement or the constraint. ``before`` is the item as it was when the report was
    returned, ``after`` as it was when the unit resubmitted it; the flag is resolved at that
    resubmission (reviews.services.report_submit).
    """

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("Deliverable outcome")
        FIGURE = "figure", _("Figure")
        ACHIEVEMENT = "achievement", _("Achievement")
        CONSTRAINT = "constraint", _("Challenge or constraint")

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="review_items")
    return_event = models.ForeignKey(
        ReportEvent, verbose_name=_("return"), on_delete=models.PROTECT, related_name="review_items"
    )
    kind = models.CharField(_("kind of item"), max_length=16, choices=Kind.choices)
    item_id = models.PositiveBigIntegerField(_("item number"))
    label = models.CharField(_("item"), max_length=300)
    comment = models.TextField(_("comment"))
    before = models.JSONField(_("before the return"), default=dict)
    after = models.JSONField(_("at resubmission"), null=True, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("flagged by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("flagged item")
        verbose_name_plural = _("flagged items")
        constraints = [
            models.UniqueConstraint(fields=["return_event", "kind", "item_id"], name="one_flag_per_item_and_return"),
        ]

    def __str__(self):
        return f"{self.report}: {self.kind} {self.item_id}"

    @property
    def resolved(self):
        return self.resolved_at is not None


class ReviewItemComment(models.Model):
    """One message of a flagged item's thread: the unit answers, the DG's office answers back."""

    item = models.ForeignKey(
        ReviewItem, verbose_name=_("flagged item"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment on a flagged item")
        verbose_name_plural = _("comments on flagged items")

    def __str__(self):
        return f"{self.item}: {self.text[:60]}"
