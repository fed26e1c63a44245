from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from notifications import services
from notifications.models import Delivery, ReminderPolicy


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """The reminder policy of a cycle. The hour the due-check runs is a periodic task (django-celery-beat)."""

    list_display = [
        "cycle",
        "offsets",
        "meeting_invitation",
        "meeting_eve_reminder",
        "overdue_daily",
        "office_digest",
        "send_from_hour",
        "updated_at",
    ]
    list_select_related = ["cycle"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only log; a message is sent again through the service (the action), never edited."""

    list_display = [
        "created_at",
        "kind",
        "recipient",
        "directorate",
        "cycle",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "kind", "cycle"]
    search_fields = ["recipient__username", "recipient__email", "occasion", "directorate__code"]
    list_select_related = ["recipient", "directorate", "cycle"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected notifications again"))
    def send_again(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                services.delivery_resend(actor=request.user, delivery=delivery)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{delivery}: {error.message}", level=messages.ERROR)
        if done:
            self.message_user(request, _("%(n)s notifications will be sent again.") % {"n": done})
