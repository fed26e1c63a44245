"""API tokens: get one (password, and a one-time code where the second factor is required), list
one's own, revoke one's own. Tokens expire (``REST_KNOX["TOKEN_TTL"]``)."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.auth import second_factor_required
from core.api import _flatten
from core.errors import DomainError
from core.middleware import client_ip


class TokenThrottle(SimpleRateThrottle):
    """Token requests per client address (``API_TOKEN_THROTTLE_RATE``), answered 429 beyond."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="Authenticator or recovery code: required for the DG, the DG's office and administrators.",
    )


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Public identifier (not the secret), used to revoke the token.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="The token that made this request.")


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only once.")
    id = serializers.CharField()
    expiry = serializers.DateTimeField()


def _refused(errors):
    """The API's error shape (core.api), built here rather than raised (see TokenView.post)."""
    return Response({"detail": _("Invalid input."), "errors": _flatten(errors)}, status=status.HTTP_400_BAD_REQUEST)


def _token_row(token, current=None):
    return {
        "id": services.token_public_id(token),
        "created": token.created,
        "expiry": token.expiry,
        "current": current is not None and token.pk == current.pk,
    }


class TokenView(APIView):
    """``POST``: exchange a username and password (and a one-time code where required) for a token.
    ``DELETE``: revoke the token that makes the request."""

    @classmethod
    def as_view(cls, **initkwargs):
        # A refused login answers an error, which rolls back the request's transaction: the failure that
        # django-axes records must stay, so this view runs outside it (the services open their own).
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [TokenThrottle()] if self.request.method == "POST" else []

    def get_authenticators(self):
        # Logging in takes credentials only: a stale or foreign token header must not get in the way.
        return [] if getattr(self.request, "method", None) == "POST" else super().get_authenticators()

    @extend_schema(request=TokenRequestSerializer, responses={200: IssuedTokenSerializer}, auth=[])
    def post(self, request):
        # Errors are answered, not raised: a raised error would roll back the failure django-axes records.
        data = TokenRequestSerializer(data=request.data)
        if not data.is_valid():
            return _refused(data.errors)
        # Django's request, so that django-axes counts the failure and its middleware can lock out.
        user = authenticate(
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None:
            return _refused({"non_field_errors": [_("Unable to log in with these credentials.")]})
        if second_factor_required(user):
            code = data.validated_data.get("otp_token", "")
            if not services.has_second_factor(user):
                return _refused({"otp_token": [_("Set up two-factor authentication on the web application first.")]})
            if services.second_factor_check(user=user, code=code) is None:
                return _refused({"otp_token": [_("A valid one-time code is required for this account.")]})
        try:
            token, secret = services.token_issue(user=user)
        except DomainError as error:
            return Response({"detail": str(error.message), "errors": {}}, status=error.status_code)
        return Response({"token": secret, "id": services.token_public_id(token), "expiry": token.expiry})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not services.is_token(request.auth):
            raise ValidationError({"non_field_errors": [_("This request was not made with an API token.")]})
        services.token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """The caller's live API tokens."""

    @extend_schema(responses={200: TokenSerializer(many=True)})
    def get(self, request):
        current = request.auth if services.is_token(request.auth) else None
        return Response([_token_row(token, current) for token in services.token_list(user=request.user)])


class TokenDetailView(APIView):
    """Revoke one of the caller's tokens by its ``id``."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, token_id):
        if not services.token_revoke_by_id(actor=request.user, public_id=token_id):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
