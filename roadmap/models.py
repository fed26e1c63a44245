"""Next year: the year-end meeting, the DG's priorities, the roadmap, its objectives, milestones and progress."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import field_in
from core.models import TransitionEvent
from directorates.models import Deliverable, Directorate
from reviews.models import Report, ReportConstraint, ReviewCycle

# ---------------------------------------------------------------- the meeting


class Meeting(models.Model):
    """The year-end annual review meeting (réunion annuelle d'évaluation du bilan) of a cycle."""

    cycle = models.OneToOneField(ReviewCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="meeting")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("annual review meeting")
        verbose_name_plural = _("annual review meetings")

    def __str__(self):
        return f"{self.cycle.year} — {self.date}"


class AgendaItem(models.Model):
    """One unit's presentation at the meeting, in the order the DG's office chose."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    directorate = models.ForeignKey(Directorate, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "directorate"], name="one_agenda_item_per_unit"),
        ]

    def __str__(self):
        return f"{self.position}. {self.directorate.code}"


class Attendance(models.Model):
    """An invited unit, its head at the time of the invitation, and whether they attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    directorate = models.ForeignKey(Directorate, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    present = models.BooleanField(_("present"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["directorate__path"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "directorate"], name="one_invitation_per_unit"),
        ]

    def __str__(self):
        return f"{self.directorate.code}: {'present' if self.present else 'absent'}"


# ---------------------------------------------------------------- priorities


class Priority(models.Model):
    """A priority of the DG's orientation speech at the year-end meeting of ``cycle``, for the next year."""

    cycle = models.ForeignKey(ReviewCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="priorities")
    code = models.CharField(_("code"), max_length=20)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_ar = models.TextField(_("text (Arabic)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    owners = models.ManyToManyField(
        Directorate, verbose_name=_("units that carry it out"), blank=True, related_name="priorities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[owners])

    class Meta:
        ordering = ["cycle__year", "code"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [models.UniqueConstraint(fields=["cycle", "code"], name="unique_priority_code")]

    def __str__(self):
        return f"{self.code} — {self.title}"

    def _localised(self, prefix):
        return field_in(self, prefix)

    @property
    def title(self):
        return self._localised("title")

    @property
    def text(self):
        return self._localised("text")


# ---------------------------------------------------------------- the roadmap


class RoadmapState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")


# The allowed moves; services check them, the UI reads them to show only the buttons that apply.
# approved → draft is "start a new version": the approved one stays frozen in RoadmapVersion.
ROADMAP_TRANSITIONS: dict[str, set[str]] = {
    RoadmapState.DRAFT: {RoadmapState.PROPOSED},
    RoadmapState.PROPOSED: {RoadmapState.APPROVED, RoadmapState.DRAFT},
    RoadmapState.APPROVED: {RoadmapState.DRAFT},
}


class Roadmap(models.Model):
    """Next year's roadmap (feuille de route / خارطة طريق), compiled from the ``cycle``'s meeting."""

    State = RoadmapState

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    cycle = models.OneToOneField(
        ReviewCycle, verbose_name=_("from the review cycle"), on_delete=models.PROTECT, related_name="roadmap"
    )
    state = models.CharField(_("state"), max_length=16, choices=RoadmapState.choices, default=RoadmapState.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("The version being worked on."))
    approved_version = models.PositiveIntegerField(_("last approved version"), null=True, blank=True)
    compiled_at = models.DateTimeField(_("last compiled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")
        permissions = [
            ("prepare_roadmap", "Can prepare the roadmap (meeting, compile, edit, propose)"),
            ("approve_roadmap", "Can approve the roadmap or send it back"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="roadmap_year_range"),
        ]

    def __str__(self):
        return f"{self.year} v{self.version}"

    @property
    def is_editable(self):
        return self.state == RoadmapState.DRAFT

    @property
    def is_in_force(self):
        """Once approved, the objectives are tracked, even while a next version is drafted."""
        return self.approved_version is not None

    @property
    def redrafting(self):
        """A next version is being worked on after an approval: the office edits draft copies of the
        objectives (``Objective.is_draft``) while units keep reading and tracking the approved rows."""
        return self.approved_version is not None and self.version != self.approved_version


class RoadmapEvent(TransitionEvent):
    """One state change of a roadmap: who, when, from what to what, at which version, and why."""

    subject = "roadmap"
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="events")
    old_state = models.CharField(max_length=16, choices=RoadmapState.choices)
    new_state = models.CharField(max_length=16, choices=RoadmapState.choices)
    version = models.PositiveIntegerField()

    class Meta(TransitionEvent.Meta):
        verbose_name = _("roadmap event")
        verbose_name_plural = _("roadmap events")


class RoadmapVersion(models.Model):
    """A frozen, approved version: the objectives and milestones as they were approved (JSON)."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    # Who proposed this version and when (the last proposal before the approval), kept beside the approval.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"))
    comment = models.TextField(blank=True)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["roadmap", "number"]
        verbose_name = _("approved roadmap version")
        verbose_name_plural = _("approved roadmap versions")
        constraints = [models.UniqueConstraint(fields=["roadmap", "number"], name="unique_roadmap_version")]

    def __str__(self):
        return f"{self.roadmap.year} v{self.number}"


class SourceKind(models.TextChoices):
    CARRY_OVER = "carry_over", _("Carried over (deliverable not done)")
    CONSTRAINT = "constraint", _("Constraint needing action")
    PRIORITY = "priority", _("Priority of the DG")
    NEW = "new", _("New project")


class ObjectiveStatus(models.TextChoices):
    """Computed from milestones and dates (roadmap.status), never typed."""

    NO_PLAN = "no_plan", _("No plan yet")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    LATE = "late", _("Late")
    DONE = "done", _("Done")


class ObjectiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=Objective.State.ACTIVE)


class Objective(models.Model):
    """A phased objective of the roadmap (objectif / هدف مرحلي), owned by one unit.

    ``source_key`` identifies where the compiler took it from ("carry_over:<deliverable id>",
    "constraint:<id>", "priority:<id>:<unit id>"); it never changes, so compiling again skips it
    whatever the office did to it since (edited, merged, dropped).
    """

    Source = SourceKind

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged into another objective")
        DROPPED = "dropped", _("Dropped")

    roadmap = models.ForeignKey(Roadmap, on_delete=models.PROTECT, related_name="objectives")
    ref = models.CharField(_("reference"), max_length=60)
    owner = models.ForeignKey(
        Directorate, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="objectives"
    )
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=32, choices=Deliverable.Category.choices, default=Deliverable.Category.GOVERNANCE
    )
    target = models.CharField(_("measurable target"), max_length=300, blank=True)
    target_quantity = models.DecimalField(_("target quantity"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("target unit"), max_length=50, blank=True)
    achieved_so_far = models.TextField(_("achieved so far"), blank=True)
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_key = models.CharField(max_length=80, editable=False)
    source_deliverable = models.ForeignKey(
        Deliverable, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_constraint = models.ForeignKey(
        ReportConstraint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    drop_reason = models.TextField(_("reason for dropping"), blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    edited = models.BooleanField(default=False, editable=False)
    # While a next version is drafted after an approval (Roadmap.redrafting), the office edits draft copies:
    # ``is_draft`` rows, each pointing to the approved row it will replace (``draft_of``; none for an
    # objective new in the draft). Units read and track only the approved rows, so nothing of the draft
    # reaches them before it is approved (roadmap.permissions.readable_objectives_q); the approval writes
    # the drafts onto the approved rows and deletes them (roadmap.services.roadmap_approve).
    is_draft = models.BooleanField(default=False, editable=False)
    draft_of = models.OneToOneField(
        "self", null=True, blank=True, editable=False, on_delete=models.CASCADE, related_name="draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["owner__path", "ref"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "source_key", "is_draft"], name="objective_unique_source"),
            models.UniqueConstraint(fields=["roadmap", "ref", "is_draft"], name="objective_unique_ref"),
            models.CheckConstraint(
                condition=~Q(state="dropped") | ~Q(drop_reason=""), name="dropped_objective_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.ref} — {self.title}"


def quarter_end(year, quarter):
    month = quarter * 3
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return next_month - datetime.timedelta(days=1)


class Milestone(models.Model):
    """A phase of an objective, due by a date (or the end of a quarter), with its own target."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=300)
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, choices=[(q, f"T{q}") for q in (1, 2, 3, 4)]
    )
    due_date = models.DateField(_("due date"))
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2, default=100)
    position = models.PositiveSmallIntegerField(default=0)
    # The latest progress recorded (value and date), kept by roadmap.services.progress_record so that
    # statuses as of today read two columns instead of searching the progress updates (roadmap.status).
    progress_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    progress_on = models.DateField(null=True, blank=True, editable=False)
    # On a draft objective's milestone: the approved milestone it will replace (keeps its progress).
    draft_of = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.CASCADE, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["progress_value", "progress_on"])  # derived from ProgressUpdate

    class Meta:
        ordering = ["due_date", "position", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(target_value__gt=0), name="milestone_target_positive"),
        ]

    def __str__(self):
        return f"{self.title} ({self.due_date})"

    @property
    def tracked_progress(self):
        """The progress recorded on this milestone, or, for a draft copy, on the approved milestone it copies
        (units record progress on the approved one while a next version is drafted) when the page loaded it
        (``roadmap.selectors.objective_by_id``): lists keep their fixed number of queries."""
        if self.draft_of_id and Milestone.draft_of.is_cached(self):
            return self.draft_of.progress.all()
        return self.progress.all()


class ProgressUpdate(models.Model):
    """Progress recorded by the unit's head on a milestone: the value reached at a date."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="progress")
    value = models.DecimalField(_("value reached"), max_digits=14, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_on", "id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="progress_not_negative")]

    def __str__(self):
        return f"{self.milestone}: {self.value}"
