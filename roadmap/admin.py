"""Admin: read-mostly views of the meeting, priorities and roadmap. Changes go through the web pages and the API,
which call roadmap.services; the roadmap's own rows are read-only here so no rule is bypassed."""

from django.contrib import admin

from core.admin import HistoryAdmin
from roadmap.models import (
    Meeting,
    Milestone,
    Objective,
    Priority,
    ProgressUpdate,
    Roadmap,
    RoadmapEvent,
    RoadmapVersion,
)


class ReadOnlyAdmin(HistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "date", "place"]


@admin.register(Priority)
class PriorityAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_fr", "cycle"]
    list_filter = ["cycle"]


@admin.register(Roadmap)
class RoadmapAdmin(ReadOnlyAdmin):
    list_display = ["year", "state", "version", "approved_version", "compiled_at"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    can_delete = False
    fields = readonly_fields = ("title", "quarter", "due_date", "target_value")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdmin):
    list_display = ["ref", "title", "owner", "priority", "source_kind", "state"]
    list_filter = ["roadmap", "source_kind", "state"]
    search_fields = ["ref", "title", "owner__code"]
    list_select_related = ["owner", "priority"]
    inlines = [MilestoneInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "value", "recorded_on", "recorded_by"]
    list_select_related = ["milestone", "recorded_by"]


@admin.register(RoadmapEvent)
class RoadmapEventAdmin(admin.ModelAdmin):
    list_display = ["roadmap", "old_state", "new_state", "version", "actor", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoadmapVersion)
class RoadmapVersionAdmin(RoadmapEventAdmin):
    list_display = ["roadmap", "number", "proposed_by", "proposed_at", "approved_by", "approved_at"]
