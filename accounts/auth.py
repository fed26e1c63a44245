"""Who must give a second factor, how API tokens are checked, and what a locked-out client is told."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from directorates.auth import login_allowed


def second_factor_required(user):
    """The DG, the DG's office and administrators log in with a one-time code as well as a password,
    unless ``TWO_FACTOR_REQUIRED`` is off (the demo, and tests that are not about the second factor)."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or user.org_role in (user.OrgRole.REVIEWER, user.OrgRole.APPROVER)


class ExpiringTokenAuthentication(TokenAuthentication):
    """django-rest-knox tokens (stored as digests, expiring), refused for inactive users and for demo
    accounts whenever demo logins are refused."""

    def validate_user(self, auth_token):
        if not login_allowed(auth_token.user):
            raise exceptions.AuthenticationFailed(_("Demo accounts are refused on this server."))
        return super().validate_user(auth_token)


class ExpiringTokenScheme(KnoxTokenScheme):
    # The dotted path, as drf-spectacular declares its targets (the Knox extension it extends does too).
    target_class = "accounts.auth.ExpiringTokenAuthentication"
    name = "tokenAuth"


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out client sees (django-axes): the API's error shape, or a page saying how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed logins: this account or this address is locked for %(minutes)d minutes. "
        "Try again later, or ask an administrator to unlock it."
    ) % {"minutes": minutes}
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "errors": {}}, status=status)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=status)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
