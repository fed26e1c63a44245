"""Writes about logins: API tokens and second-factor devices. Views and the API only call these."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from knox.settings import knox_settings

from core.errors import NotAllowed, ValidationFailed
from directorates.models import User

log = logging.getLogger("accounts")

RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"


# --- API tokens ------------------------------------------------------------------------------


def token_public_id(token: AuthToken) -> str:
    """What lists show and revocation takes: a prefix of the stored digest, never part of the secret."""
    return token.digest[:16]


@transaction.atomic
def token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for ``user``; returns ``(token, secret)``. The secret is shown once, only its
    digest is stored; it expires after ``REST_KNOX["TOKEN_TTL"]``. At most ``TOKEN_LIMIT_PER_USER``
    live tokens: beyond, the owner revokes one first."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and AuthToken.objects.filter(user=user).count() >= limit:
        raise NotAllowed(_("You already have %(limit)d API tokens: revoke one first.") % {"limit": limit})
    token, secret = AuthToken.objects.create(user=user)
    log.info("API token %s issued to %s", token_public_id(token), user.get_username())
    return token, secret


def token_list(*, user: User) -> QuerySet[AuthToken]:
    """The live tokens of ``user``, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def token_revoke(*, actor: User, token: AuthToken) -> None:
    """Revoke one token: its owner or an administrator."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise NotAllowed(_("You may only revoke your own tokens."))
    log.info(
        "API token %s of %s revoked by %s", token_public_id(token), token.user.get_username(), actor.get_username()
    )
    token.delete()


def token_revoke_by_id(*, actor: User, public_id: str) -> bool:
    """Revoke the caller's token shown as ``public_id``; False when there is none."""
    if len(public_id) != 16:
        return False
    token = AuthToken.objects.filter(user=actor, digest__startswith=public_id).first()
    if token is None:
        return False
    token_revoke(actor=actor, token=token)
    return True


def tokens_revoke_all(*, user: User) -> int:
    """Every token of ``user`` (a password change, a deactivation)."""
    count, _deleted = AuthToken.objects.filter(user=user).delete()
    if count:
        log.info("%d API token(s) of %s revoked", count, user.get_username())
    return count


# --- Second factor (TOTP and recovery codes) ---------------------------------------------------


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


@transaction.atomic
def totp_setup_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for ``user`` to scan: the pending one if any, else a new key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_setup_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code it shows; replaces any earlier one and returns
    fresh recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code):
        raise ValidationFailed(
            _("This code is not right. Check the time on your phone and try again."),
            errors={"code": [_("Wrong code.")]},
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log.info("Authenticator set up for %s", user.get_username())
    return device, recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the recovery codes of ``user`` by ``TWO_FACTOR_RECOVERY_CODES`` new ones, each usable once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_check(*, user: User, code: str | None) -> Device | None:
    """The confirmed device that accepts ``code`` (an authenticator code or an unused recovery code),
    or None. Each device slows down repeated wrong codes (django-otp's throttling)."""
    code = (code or "").strip().replace(" ", "").lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                log.info("Second factor accepted for %s (%s)", user.get_username(), device.name)
                return device
    log.warning("Wrong second-factor code for %s", user.get_username())
    return None


def is_token(auth: object) -> bool:
    return isinstance(auth, AuthToken)
