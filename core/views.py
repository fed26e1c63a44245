from django.views.i18n import set_language as django_set_language

from core.i18n import language_codes


def set_language(request):
    """Switch language, and remember it on the profile (e-mails use it too)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in language_codes() and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, downloads, error pages)."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("favicon.svg"))


def bad_request(request, exception=None):
    """The 400 page: what was wrong with the query string (core.filters.BadFilter) or the request."""
    from django.shortcuts import render

    errors = getattr(exception, "errors", None) or {}
    return render(request, "400.html", {"errors": errors}, status=400)
