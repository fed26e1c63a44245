from django.utils.translation import get_language_bidi


def navigation(request):
    """What the base layout needs on every page: direction and the user's capabilities."""
    user = getattr(request, "user", None)
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "is_dg_office": bool(user and user.is_authenticated and user.sees_everything),
    }
