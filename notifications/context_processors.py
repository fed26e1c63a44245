from django.conf import settings

from notifications.selectors import unread_count


def unread(request):
    """The unread count shown in the navbar: one COUNT query per page for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user=user), "demo_outbox": demo_outbox_open(user)}


def demo_outbox_open(user):
    """The demo outbox is for demo accounts where demo logins are allowed (DEBUG): nowhere in production."""
    return bool(settings.DEMO_LOGINS_ENABLED and user.is_authenticated and user.is_demo)
