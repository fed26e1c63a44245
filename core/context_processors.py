from django.utils.translation import get_language_bidi

# Which navbar menu a page belongs to, from its URL name (no query): the menu is highlighted.
NAV_SECTIONS = {
    "reviews": "review",
    "directorates": "review",
    "roadmap": "roadmap",
    "figures": "figures",
    "transfers": "tools",
    "admin": "tools",
    "notifications": "notifications",
}
NAV_SECTION_BY_URL = {
    "roadmap:meeting": "review",
    "roadmap:meeting_home": "review",
    "roadmap:briefing": "review",
    "notifications:delivery_log": "tools",
    "notifications:delivery_log_current": "tools",
    "figures:report_figures": "review",
    "figures:unit_figures": "review",
    "api-docs": "tools",
}


def navigation(request):
    """What the base layout needs on every page: direction, the user's capabilities, the current menu."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None:
        section = NAV_SECTION_BY_URL.get(match.view_name) or NAV_SECTIONS.get(match.app_name, "")
        if match.view_name == "home":
            section = "review"
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "is_dg_office": bool(user and user.is_authenticated and user.sees_everything),
        "nav_section": section,
    }
