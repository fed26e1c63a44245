"""Yearly figures: the indicator catalogue, each unit's figures, and the compiled annual report (bilan).

Imports point one way: figures may import reviews and directorates, never the reverse.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.i18n import field_in
from core.models import TransitionEvent
from directorates.models import Directorate


class Domain(models.TextChoices):
    """The chapters of the published annual report, in the order it presents them; the labels are the
    chapter titles the publication prints (gettext catalogues)."""

    STRUCTURES = "structures", _("Security structures")
    CRIME = "crime", _("Fighting crime")
    DRUGS = "drugs", _("Drugs")
    MIGRATION = "migration", _("Migration and trafficking")
    PANDEMIC = "pandemic", _("Health emergency")
    FORENSIC = "forensic", _("Forensic science")
    COOPERATION = "cooperation", _("International cooperation")
    ROAD_SAFETY = "road_safety", _("Road safety")
    HUMAN_RESOURCES = "human_resources", _("Human resources")
    TRAINING = "training", _("Training")
    DISCIPLINE = "discipline", _("Discipline and inspection")
    SOCIAL = "social", _("Social works")
    HEALTH = "health", _("Health services")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and equipment")
    IDENTITY = "identity", _("Identity documents and digital services")
    POLICING = "policing", _("Administrative police")
    COMMUNICATION = "communication", _("Communication")


DOMAIN_ORDER = {value: index for index, value in enumerate(Domain.values)}


class MeasureUnit(models.TextChoices):
    COUNT = "count", _("count")
    KILOGRAM = "kg", _("kilograms")
    TON = "t", _("tons")
    LITRE = "l", _("litres")
    DIRHAM = "mad", _("dirhams")
    PERCENT = "percent", _("percent")
    HOURS = "hours", _("hours")


# Unit names as printed beside a figure (the choices' labels are the long names of forms).
UNIT_SHORT_NAMES = {
    MeasureUnit.COUNT: pgettext_lazy("unit of measure, short", "count"),
    MeasureUnit.KILOGRAM: pgettext_lazy("unit of measure, short", "kg"),
    MeasureUnit.TON: pgettext_lazy("unit of measure, short", "tons"),
    MeasureUnit.LITRE: pgettext_lazy("unit of measure, short", "litres"),
    MeasureUnit.DIRHAM: pgettext_lazy("unit of measure, short", "dirhams"),
    MeasureUnit.PERCENT: pgettext_lazy("unit of measure, short", "%"),
    MeasureUnit.HOURS: pgettext_lazy("unit of measure, short", "hours"),
}

# Units whose values are whole numbers (a count of 1.5 cases is a typing error).
WHOLE_UNITS = {MeasureUnit.COUNT}


class Rollup(models.TextChoices):
    SUM = "sum", _("Sum over the organisation tree")
    NONE = "none", _("None (national figure only)")


# Year-over-year change (in percent) past which a figure must be justified, unless the catalogue says otherwise.
DEFAULT_CHANGE_THRESHOLD = 30


class IndicatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def enterable(self):
        """Indicators a person types (derived ones are computed, never typed)."""
        return self.filter(numerator__isnull=True)


class Indicator(models.Model):
    """An entry of the indicator catalogue ("indicateur"), kept by administrators."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=250)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=MeasureUnit.choices, default=MeasureUnit.COUNT)
    higher_is_better = models.BooleanField(
        _("higher is better"),
        null=True,
        blank=True,
        help_text=_("Leave empty when a rise is neither good nor bad (e.g. staff numbers)."),
    )
    rollup = models.CharField(_("roll-up"), max_length=8, choices=Rollup.choices, default=Rollup.SUM)
    national_only = models.BooleanField(
        _("national only"), default=False, help_text=_("Entered only at national level (the root unit).")
    )
    allow_negative = models.BooleanField(_("may be negative"), default=False)
    unit_kinds = models.JSONField(
        _("unit kinds"),
        default=list,
        blank=True,
        help_text=_("Kinds of units that report it; empty means every kind."),
    )
    # Derived indicators: value = numerator / denominator × multiplier, computed, never typed.
    numerator = models.ForeignKey(
        "self", verbose_name=_("numerator"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name=_("denominator"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    multiplier = models.DecimalField(_("multiplier"), max_digits=12, decimal_places=4, default=1)
    change_threshold = models.DecimalField(
        _("change needing a justification (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        default=DEFAULT_CHANGE_THRESHOLD,
        help_text=_(
            "A unit's figure that changes by more than this share from the year before cannot be "
            "submitted without a written justification. Empty: never asked."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Internal unless classified otherwise: only public indicators appear in the public edition of the bilan.
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown in the public edition of the published bilan.")
    )

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicator catalogue")
        constraints = [
            models.CheckConstraint(
                condition=(Q(numerator__isnull=True) & Q(denominator__isnull=True))
                | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="indicator_derived_needs_both_terms",
            ),
            models.CheckConstraint(condition=~Q(multiplier=0), name="indicator_multiplier_not_zero"),
            models.CheckConstraint(
                condition=Q(change_threshold__isnull=True) | Q(change_threshold__gt=0),
                name="indicator_change_threshold_positive",
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def name(self):
        return field_in(self, "name")

    @property
    def is_derived(self):
        return self.numerator_id is not None

    def applies_to(self, directorate):
        if self.is_derived or not self.is_active:
            return False
        if self.national_only:
            return directorate.parent_id is None
        return not self.unit_kinds or directorate.kind in self.unit_kinds

    def clean(self):
        errors = {}
        if self.is_derived:
            for field in ("numerator", "denominator"):
                term = getattr(self, field)
                if self.pk and term.pk == self.pk:
                    errors[field] = _("A derived indicator cannot be defined from itself.")
                elif term.is_derived:
                    errors[field] = _("Define a derived indicator from entered indicators only.")
        elif self.denominator_id:
            errors["numerator"] = _("A derived indicator needs both a numerator and a denominator.")
        if self.national_only and self.rollup != Rollup.NONE:
            errors["rollup"] = _("A national-only indicator does not roll up.")
        bad_kinds = set(self.unit_kinds or []) - set(Directorate.Kind.values)
        if bad_kinds:
            errors["unit_kinds"] = _("Unknown unit kinds: %(kinds)s") % {"kinds": ", ".join(sorted(bad_kinds))}
        if errors:
            raise ValidationError(errors)


class Figure(models.Model):
    """One unit's value of one indicator for one year ("chiffre annuel"). Part of the report's review."""

    directorate = models.ForeignKey(
        Directorate, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="figures"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source_note = models.TextField(_("source note"), blank=True)
    justification = models.TextField(
        _("justification of the change"),
        blank=True,
        help_text=_("Why the figure changed so much from the year before (asked past the indicator's threshold)."),
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "directorate__path", "indicator__position", "indicator__code"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(fields=["directorate", "indicator", "year"], name="one_figure_per_unit_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="figure_year_range"),
        ]
        indexes = [models.Index(fields=["year", "indicator"], name="figure_year_indicator")]

    def __str__(self):
        return f"{self.directorate.code} {self.year} {self.indicator.code} = {self.value}"


class BilanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


BILAN_TRANSITIONS: dict[str, set[str]] = {
    BilanState.DRAFT: {BilanState.APPROVED},
    BilanState.APPROVED: {BilanState.PUBLISHED, BilanState.DRAFT},
    BilanState.PUBLISHED: set(),
}


class Bilan(models.Model):
    """The annual report of a year (bilan annuel / الحصيلة السنوية), compiled from the figures.

    Once published its computed values are frozen in ``snapshot``: later figure edits don't change it.
    """

    State = BilanState

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    state = models.CharField(_("state"), max_length=16, choices=BilanState.choices, default=BilanState.DRAFT)
    title_fr = models.CharField(_("title (French)"), max_length=250, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=250, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    introduction_fr = models.TextField(_("introduction (French)"), blank=True)
    introduction_ar = models.TextField(_("introduction (Arabic)"), blank=True)
    introduction_en = models.TextField(_("introduction (English)"), blank=True)
    outlook_fr = models.TextField(_("outlook (French)"), blank=True)
    outlook_ar = models.TextField(_("outlook (Arabic)"), blank=True)
    outlook_en = models.TextField(_("outlook (English)"), blank=True)
    introduction_public = models.BooleanField(_("introduction is public"), default=False)
    outlook_public = models.BooleanField(_("outlook is public"), default=False)
    snapshot = models.JSONField(_("frozen values"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["snapshot"])

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report (bilan)")
        verbose_name_plural = _("annual reports (bilans)")
        permissions = [
            ("prepare_bilan", "Can prepare the bilan (national figures, draft, publish)"),
            ("approve_bilan", "Can approve the bilan"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="bilan_year_range"),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(snapshot__isnull=False), name="published_bilan_is_frozen"
            ),
        ]

    def __str__(self):
        return str(self.year)

    @property
    def is_published(self):
        return self.state == BilanState.PUBLISHED

    def text(self, field, language=None):
        return field_in(self, field, language)


class BilanEvent(TransitionEvent):
    """One state change of a bilan: who, when, from what to what (core.transitions)."""

    subject = "bilan"
    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="events")
    old_state = models.CharField(max_length=16, choices=BilanState.choices)
    new_state = models.CharField(max_length=16, choices=BilanState.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("annual report event")
        verbose_name_plural = _("annual report events")


class BilanSection(models.Model):
    """The DG's office's commentary on one domain of the bilan, in three languages."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="sections")
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    body_fr = models.TextField(_("text (French)"), blank=True)
    body_ar = models.TextField(_("text (Arabic)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["bilan", "domain"]
        verbose_name = _("bilan section")
        verbose_name_plural = _("bilan sections")
        constraints = [models.UniqueConstraint(fields=["bilan", "domain"], name="one_section_per_domain")]

    def __str__(self):
        return f"{self.bilan.year} {self.domain}"
