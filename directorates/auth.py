from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def login_allowed(user):
    """Demo accounts (password "demo") log in only while demo logins are enabled (DEBUG on).

    The one rule for passwords (the backend below) and API tokens (accounts.auth) alike."""
    return not (getattr(user, "is_demo", False) and not settings.DEMO_LOGINS_ENABLED)


class DemoAwareModelBackend(ModelBackend):
    """Refuses demo accounts unless demo logins are enabled (DEBUG)."""

    def user_can_authenticate(self, user):
        return login_allowed(user) and super().user_can_authenticate(user)
