"""Reminder policy per review cycle, and the delivery log: one row per message, created before sending.

The row is the claim. Its unique key (kind, occasion, recipient) makes a second
claim of the same message impossible, whoever tries it (beat firing twice, two
workers racing, a retried task): the database refuses the duplicate.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directorates.models import Directorate
from reviews.models import ReviewCycle

DEFAULT_OFFSETS = [30, 14, 7, 3, 1]


def default_offsets():
    return list(DEFAULT_OFFSETS)


class ReminderPolicy(models.Model):
    """What to send for one review cycle and when (politique de relance). Edited by an administrator."""

    cycle = models.OneToOneField(
        ReviewCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="reminder_policy"
    )
    offsets = models.JSONField(
        _("reminders before the deadline (days)"),
        default=default_offsets,
        help_text=_(
            "Days before the submission deadline on which units that have not submitted are reminded, "
            "e.g. [30, 14, 7, 3, 1]."
        ),
    )
    meeting_invitation = models.BooleanField(_("meeting invitation when the cycle opens"), default=True)
    meeting_eve_reminder = models.BooleanField(_("reminder the day before the meeting"), default=True)
    overdue_daily = models.BooleanField(_("daily reminder to the head of a late unit"), default=True)
    office_digest = models.BooleanField(_("daily digest of late units to the DG's office"), default=True)
    escalate_to_parent_after = models.PositiveSmallIntegerField(
        _("escalate to the parent unit's head after (days)"),
        null=True,
        blank=True,
        default=3,
        help_text=_(
            "A unit this many days overdue (report not submitted, or returned and not resubmitted) is "
            "reported once to the head of its parent unit. Empty: never."
        ),
    )
    escalate_to_office_after = models.PositiveSmallIntegerField(
        _("escalate to the DG's office after (days)"),
        null=True,
        blank=True,
        default=7,
        help_text=_("Then, this many days overdue, it is reported once to the DG's office. Empty: never."),
    )
    send_from_hour = models.PositiveSmallIntegerField(
        _("send from (hour)"), default=8, help_text=_("Scheduled reminders of a day go out from this hour (0–23).")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        constraints = [
            models.CheckConstraint(condition=Q(send_from_hour__lte=23), name="policy_hour_0_23"),
        ]

    def __str__(self):
        return str(self.cycle)

    def clean(self):
        offsets = self.offsets
        if not isinstance(offsets, list) or not all(isinstance(d, int) and 0 <= d <= 366 for d in offsets):
            raise ValidationError(
                {"offsets": _("Give a list of whole numbers of days between 0 and 366, e.g. [30, 14, 7, 3, 1].")}
            )

    def clean_offsets(self):
        """The offsets, largest first, ignoring anything that is not a number of days."""
        days = set()
        for day in self.offsets or []:
            try:
                if int(day) >= 0:
                    days.add(int(day))
            except (TypeError, ValueError):
                continue
        return sorted(days, reverse=True)


class DeliveryQuerySet(models.QuerySet):
    def unread_for(self, user):
        return self.filter(recipient=user, read_at__isnull=True)

    def to_send(self, now):
        """Rows waiting for (another) attempt whose back-off has elapsed."""
        return self.filter(state__in=(Delivery.State.PENDING, Delivery.State.FAILED), next_attempt_at__lte=now)


class Delivery(models.Model):
    """One message to one person: an e-mail (plain text + HTML) and an entry of their in-app notification list."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (will be retried)")
        IN_APP = "in_app", _("In-app only (no e-mail address)")

    kind = models.CharField(_("kind"), max_length=40)
    # Names the occasion within the kind, e.g. "cycle:3/unit:12/d-7" or "event:45": the idempotency key.
    occasion = models.CharField(_("occasion"), max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="notifications"
    )
    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("cycle"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    directorate = models.ForeignKey(
        Directorate, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Everything needed to render the message in any language without another query.
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("re-sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resent_at = models.DateTimeField(_("re-sent at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()
    # State changes (sent, in-app, failed, re-sent by hand) are history; the rendering context and the
    # lease are not. Written by notifications.services with core.audit (the sends are bulk updates).
    history = HistoricalRecords(excluded_fields=["context", "next_attempt_at", "read_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["kind", "occasion", "recipient"], name="one_delivery_per_occasion"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_to_send"),
            models.Index(fields=["recipient", "read_at"], name="delivery_unread"),
            models.Index(fields=["cycle", "created_at"], name="delivery_cycle_log"),
        ]

    def __str__(self):
        return f"{self.kind} {self.occasion} → {self.recipient_id}"
