import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class UserLanguageMiddleware:
    """Use the language saved on the user's profile unless they chose one this session.

    Runs before LocaleMiddleware, which reads the language cookie set by the
    switcher; the profile language only fills in when no cookie is present.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or not user or not user.is_authenticated:
            return None
        language = getattr(user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None


FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


class TrustedProxyMiddleware:
    """Forwarding headers count only when they come from a proxy named in ``DJANGO_TRUSTED_PROXIES``.

    Anyone reaching the application directly could otherwise claim HTTPS (``X-Forwarded-Proto``, read
    by ``SECURE_PROXY_SSL_HEADER``) or another address (``X-Forwarded-For``, read by the login
    lock-out). Runs first, before SecurityMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("REMOTE_ADDR") not in settings.TRUSTED_PROXIES:
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def client_ip(request):
    """The address of the person logging in: the proxy's last ``X-Forwarded-For`` entry when a trusted
    proxy sent the request (TrustedProxyMiddleware drops the header otherwise), else the peer address."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        return forwarded.split(",")[-1].strip() or remote
    return remote


DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _wants_json(request):
    """The API, and the report page's background save (static/js/app.js shows the JSON's ``detail``)."""
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith("/api/")
        or request.headers.get("X-Autosave") == "1"
        or accept.split(",")[0].strip().startswith("application/json")
    )


def database_unavailable_response(request):
    """The answer while the database cannot be reached (restarted, failed over, network cut): 503 with
    Retry-After, saying that nothing was saved, never a traceback. The request's transaction (ATOMIC_REQUESTS)
    was not committed, so this is true. The page is standalone: rendering base.html would read the session and
    the user, from the database that is away."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    with translation.override(language):
        message = _("The database cannot be reached for a moment. Nothing was saved: try again in a minute.")
        if _wants_json(request):
            response = JsonResponse({"detail": message, "errors": {}}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _note_database_error(sender, request=None, **kwargs):
    """got_request_exception: an error in a middleware (reading the session, the user) is turned into a 500
    before DatabaseUnavailableMiddleware sees it; remember that it was the database's."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request.database_unavailable = True


got_request_exception.connect(_note_database_error, dispatch_uid="core.middleware.database_unavailable")


class DatabaseErrorLogFilter(logging.Filter):
    """On ``django.request``: a database error answered 503 is one warning line in the log, not an "Internal
    Server Error" with a traceback per request while PostgreSQL restarts (LOGGING in config/settings/base.py)."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        request = getattr(record, "request", None)
        if getattr(record, "status_code", None) == 503 and getattr(request, "database_unavailable", False):
            return False  # Django's "Service Unavailable" for our own answer: already said above
        if isinstance(error, DATABASE_ERRORS):
            record.msg, record.args = (
                "Database unreachable, answered 503: %s %s: %s",
                (getattr(request, "method", ""), getattr(request, "path", ""), _first_line(error)),
            )
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class DatabaseUnavailableMiddleware:
    """Database errors become a clean 503 (web page or the API's error JSON), with Retry-After.

    A view's error comes through ``process_exception``; one raised by another middleware (the session, the user,
    the one-time-code check) has already been turned into a 500 by Django, noted by ``_note_database_error``, and
    is replaced here. Placed before SessionMiddleware so that a failed session save is caught too. With
    ``CONN_HEALTH_CHECKS`` the next request after the database is back opens a fresh connection.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            request.database_unavailable = True
            logger.warning(
                "Database unreachable, answered 503: %s %s: %s", request.method, request.path, _first_line(exception)
            )
            return database_unavailable_response(request)
        return None
