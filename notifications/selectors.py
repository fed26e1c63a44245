"""Reads for the notification pages: a person's own list, and the DG's office's delivery log of a cycle."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet

from directorates.models import User
from notifications.models import Delivery
from reviews.models import ReviewCycle


def notification_list(*, user: User) -> QuerySet[Delivery]:
    """The user's own notifications, newest first. Rendering needs no further query (context is stored)."""
    return Delivery.objects.filter(recipient=user).defer("last_error")


def unread_count(*, user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Delivery.objects.unread_for(user).count()


def can_see_delivery_log(user: User | AnonymousUser) -> bool:
    """The DG's office, the DG and administrators read the log; re-sending is the office's (services)."""
    return user.is_authenticated and user.sees_everything


def delivery_log(*, cycle: ReviewCycle | None = None) -> QuerySet[Delivery]:
    """What was sent to whom and when, what failed and why: one cycle's, or every cycle's (filtered by
    notifications.filters.DeliveryFilter)."""
    rows = Delivery.objects.filter(cycle__isnull=False).select_related("recipient", "directorate", "resent_by")
    return rows.filter(cycle=cycle) if cycle is not None else rows


def delivery_totals(*, cycle: ReviewCycle) -> dict[str, int]:
    return dict(
        Delivery.objects.filter(cycle=cycle)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
