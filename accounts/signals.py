"""API tokens die with a password change or a deactivation (whatever path saves the user); a login
starts the session's clocks (accounts.middleware.SessionTimeoutMiddleware)."""

import time

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from directorates.models import User


@receiver(pre_save, sender=User)
def _note_credential_change(sender, instance, **kwargs):
    # set_password() leaves the new raw password in _password until the save.
    instance._revoke_tokens = bool(instance.pk) and (instance._password is not None or not instance.is_active)


@receiver(post_save, sender=User)
def _revoke_tokens(sender, instance, created, **kwargs):
    if getattr(instance, "_revoke_tokens", False):
        from accounts import services

        services.tokens_revoke_all(user=instance)
        instance._revoke_tokens = False


@receiver(user_logged_in)
def _start_session_clock(sender, request, user, **kwargs):
    from accounts.middleware import LAST_SEEN, LOGIN_AT

    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now
