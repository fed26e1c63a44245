"""Reads for the notification pages: a person's own list, and the DG's office's delivery log of a cycle."""

from django.db.models import Count

from notifications.models import Delivery


def notification_list(*, user):
    """The user's own notifications, newest first. Rendering needs no further query (context is stored)."""
    return Delivery.objects.filter(recipient=user).defer("last_error")


def unread_count(*, user):
    if not user.is_authenticated:
        return 0
    return Delivery.objects.unread_for(user).count()


def can_see_delivery_log(user):
    """The DG's office, the DG and administrators read the log; re-sending is the office's (services)."""
    return user.is_authenticated and user.sees_everything


def delivery_log(*, cycle, state=None, kind=None):
    """What was sent to whom and when, what failed and why, for one cycle."""
    rows = Delivery.objects.filter(cycle=cycle).select_related("recipient", "directorate", "resent_by")
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def delivery_totals(*, cycle):
    return dict(Delivery.objects.filter(cycle=cycle).order_by().values("state").annotate(n=Count("pk"))
                .values_list("state", "n"))
