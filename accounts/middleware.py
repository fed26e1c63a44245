"""Request-time rules of logins: session idle and absolute timeouts, and the second factor."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.auth import second_factor_required

LOGIN_AT = "_login_at"
LAST_SEEN = "_last_seen"
SESSION_ENDED = "_session_ended"
# The idle clock is written back at most once a minute, not on every request.
LAST_SEEN_GRANULARITY = 60


class SessionTimeoutMiddleware:
    """A session ends after ``SESSION_IDLE_SECONDS`` without a request, and ``SESSION_COOKIE_AGE`` after
    the login whatever the activity; the login page then says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            login_at, last_seen = session.get(LOGIN_AT), session.get(LAST_SEEN)
            if login_at is None or last_seen is None:
                session[LOGIN_AT] = login_at or now
                session[LAST_SEEN] = now
            elif now - last_seen > settings.SESSION_IDLE_SECONDS or now - login_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                request.session[SESSION_ENDED] = True
            elif now - last_seen >= LAST_SEEN_GRANULARITY:
                session[LAST_SEEN] = now
        return self.get_response(request)


# Pages a person who gave their password but not yet their code may open.
OPEN_BEFORE_SECOND_FACTOR = ("accounts:two_factor_verify", "accounts:two_factor_setup", "logout", "set_language")


class SecondFactorMiddleware:
    """The DG, the DG's office and administrators (``accounts.auth.second_factor_required``) reach nothing
    but the code page until they give a one-time code; those without an authenticator set one up first.
    API tokens are issued only against a code too (accounts.api)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in OPEN_BEFORE_SECOND_FACTOR}
        return self._open_paths

    def __call__(self, request):
        user = request.user
        if (
            second_factor_required(user)
            and not user.is_verified()
            and request.path not in self.open_paths()
            and not request.path.startswith(
                settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
            )
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Give your one-time code on the web application first."), "errors": {}},
                    status=403,
                )
            from accounts import services

            target = "accounts:two_factor_verify" if services.has_second_factor(user) else "accounts:two_factor_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
