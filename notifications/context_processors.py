from notifications.selectors import unread_count


def unread(request):
    """The unread count shown in the navbar: one COUNT query per page for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user=user)}
