"""Admin base shared by every app: history is shown, never rewritten."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin with its "revert" turned off: a history row can be read, not replayed
    over the present (a revert would write the old values as a new change, bypassing the services),
    and history rows are never edited or deleted (no admin is registered for historical models)."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)
