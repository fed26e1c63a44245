"""Who: the organisation tree, people and their roles, each unit's cahier des charges."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import field_in


class User(AbstractUser):
    """A person. Where they sit in the organisation lives here (``org_role``: the DG's office or the DG,
    who see every unit); unit roles in ``Membership``; what they may do (review, prepare, approve…) in
    their Django permissions and groups, read through each app's ``permissions`` module."""

    class OrgRole(models.TextChoices):
        NONE = "", _("None")
        REVIEWER = "reviewer", _("DG's office")
        APPROVER = "approver", _("Director-General")

    org_role = models.CharField(
        _("organisation-wide role"),
        max_length=16,
        choices=OrgRole.choices,
        blank=True,
        help_text=_(
            "The DG's office and the DG see every unit. What a person may do (review reports, prepare "
            "or approve the roadmap, approve the bilan…) is given by their groups and permissions."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")]
    )
    is_demo = models.BooleanField(
        _("demo account"), default=False, help_text=_("Created by the demo loader; refused when DEBUG is off.")
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    @property
    def is_administrator(self):
        return self.is_superuser

    @property
    def sees_everything(self):
        """The DG's office, the DG and administrators see every unit (``directorates.permissions``)."""
        from directorates.permissions import sees_every_unit

        return sees_every_unit(self)


class DirectorateQuerySet(models.QuerySet):
    def subtree(self, directorate):
        """The unit and every unit under it."""
        return self.filter(path__startswith=directorate.path)


class Directorate(models.Model):
    """A unit of the directorate-general (direction centrale, wilaya de sûreté, …)."""

    class Kind(models.TextChoices):
        CENTRAL_DIRECTORATE = "central_directorate", _("Central directorate")
        CABINET_POLE = "cabinet_pole", _("Cabinet pole")
        SECURITY_PREFECTURE = "security_prefecture", _("Security prefecture (wilaya)")
        REGIONAL_SECURITY = "regional_security", _("Regional security")
        PROVINCIAL_SECURITY = "provincial_security", _("Provincial security")
        INSTITUTE = "institute", _("Institute")
        FOUNDATION = "foundation", _("Foundation")
        NATIONAL_BRIGADE = "national_brigade", _("National brigade")

    code = models.SlugField(_("code"), max_length=20, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    # Materialised path of codes ("DGSN/WS-FES/SP-SEFROU/") so a subtree is one indexed prefix query.
    path = models.CharField(_("position in the tree"), max_length=500, editable=False, db_index=True)

    history = HistoricalRecords()
    objects = DirectorateQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="directorate_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        # The path is derived data: keep it (and the subtree's) consistent on every save.
        old_path = self.path
        self.path = self.computed_path()
        if self.pk and old_path and old_path != self.path and self.path.startswith(old_path):
            raise ValueError("A unit cannot be moved under one of its own sub-units.")
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_subtree(old_path)

    @property
    def name(self):
        return field_in(self, "name")

    @property
    def depth(self):
        return self.path.count("/") - 1

    def contains(self, other):
        """``other`` is this unit or one of the units under it (its subtree)."""
        return other.path.startswith(self.path)

    def computed_path(self):
        return f"{self.parent.path if self.parent_id else ''}{self.code}/"

    def _move_subtree(self, old_path):
        """Re-root every unit under this one in one UPDATE, with one history row each (one INSERT)."""
        from core import audit

        moved = Directorate.objects.filter(path__startswith=old_path).exclude(pk=self.pk)
        if moved.update(path=Concat(Value(self.path), Substr("path", len(old_path) + 1))):
            ids = (
                Directorate.objects.filter(path__startswith=self.path).exclude(pk=self.pk).values_list("pk", flat=True)
            )
            audit.record_rows(
                Directorate,
                ids,
                history_type=audit.CHANGED,
                actor=getattr(self, "_history_user", None),
                reason="moved with its parent unit",
            )


class Membership(models.Model):
    """A person's role in one unit."""

    class Role(models.TextChoices):
        HEAD = "head", _("Head")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "directorate"], name="one_role_per_user_and_unit")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.directorate.code}"


class DeliverableQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(year=year)


class Deliverable(models.Model):
    """A committed deliverable of a unit's cahier des charges (livrable) for one year."""

    class Category(models.TextChoices):
        OPERATIONS = "operations", _("Operations")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        DIGITAL = "digital", _("Digital services")
        TRAINING = "training", _("Training")
        HUMAN_RESOURCES = "human_resources", _("Human resources")
        COOPERATION = "cooperation", _("Cooperation")
        COMMUNICATION = "communication", _("Communication")
        SOCIAL = "social", _("Social works")
        EQUIPMENT = "equipment", _("Equipment")
        GOVERNANCE = "governance", _("Governance")

    class Origin(models.TextChoices):
        ENTERED = "entered", _("Entered")
        IMPORTED = "imported", _("Imported")
        ROADMAP = "roadmap", _("Roadmap objective")

    directorate = models.ForeignKey(
        Directorate, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="deliverables"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    target_quantity = models.DecimalField(_("target quantity"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("target unit"), max_length=50, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.ENTERED)
    origin_reference = models.CharField(
        _("origin reference"), max_length=100, blank=True, help_text=_("e.g. the roadmap objective it comes from")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    history = HistoricalRecords()
    objects = DeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["directorate__path", "year", "due_date", "id"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("cahier des charges (deliverables)")
        permissions = [("manage_deliverables", "Can manage the cahier des charges of any unit")]
        constraints = [
            models.UniqueConstraint(fields=["directorate", "year", "title"], name="unique_deliverable_title"),
            models.CheckConstraint(
                condition=Q(target_quantity__isnull=True) | Q(target_quantity__gte=0),
                name="deliverable_target_not_negative",
            ),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="deliverable_year_range"),
        ]

    def __str__(self):
        return f"{self.directorate.code} {self.year} — {self.title}"

    @property
    def target_display(self):
        if self.target_quantity is not None:
            quantity = self.target_quantity.normalize()
            return f"{quantity:f} {self.target_unit}".strip()
        if self.target_date:
            return self.target_date.isoformat()
        return ""
