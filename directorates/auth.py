from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class DemoAwareModelBackend(ModelBackend):
    """Refuses demo accounts (password "demo") unless demo logins are enabled (DEBUG)."""

    def user_can_authenticate(self, user):
        if getattr(user, "is_demo", False) and not settings.DEMO_LOGINS_ENABLED:
            return False
        return super().user_can_authenticate(user)
