from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Reminders and notifications")

    def ready(self):
        # The built-in reminder kinds register themselves; the report signal enqueues the notices.
        from notifications import kinds, receivers  # noqa: F401
