from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core import audit
from core.admin import HistoryAdmin
from core.errors import DomainError
from reviews import services
from reviews.models import Achievement, Outcome, Report, ReportConstraint, ReportEvent, ReviewCycle, ReviewItem


@admin.register(ReviewCycle)
class ReviewCycleAdmin(HistoryAdmin):
    list_display = ["year", "submission_deadline", "meeting_date", "state"]
    readonly_fields = ["state", "opened_at", "closed_at"]
    actions = ["close_cycles"]

    def save_model(self, request, obj, form, change):
        if change:
            audit.attribute(obj, actor=request.user)
            obj.save()
        else:
            created = services.cycle_open(
                actor=request.user,
                year=obj.year,
                submission_deadline=obj.submission_deadline,
                meeting_date=obj.meeting_date,
            )
            obj.pk = created.pk

    @admin.action(description=_("Close the selected cycles (locks every report)"))
    def close_cycles(self, request, queryset):
        for cycle in queryset:
            try:
                services.cycle_close(actor=request.user, cycle=cycle)
            except DomainError as error:
                self.message_user(request, f"{cycle}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("Cycle %(year)s closed.") % {"year": cycle.year})


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OutcomeInline(ReadOnlyInline):
    model = Outcome
    fields = ["deliverable", "status", "percent_done", "comment"]


class AchievementInline(ReadOnlyInline):
    model = Achievement


class ConstraintInline(ReadOnlyInline):
    model = ReportConstraint


class EventInline(ReadOnlyInline):
    model = ReportEvent


class ReviewItemInline(ReadOnlyInline):
    """The items the DG's office flagged at each return (their threads are on the report's page)."""

    model = ReviewItem
    fields = ["return_event", "kind", "label", "comment", "flagged_by", "created_at", "resolved_at", "resolved_by"]


@admin.register(Report)
class ReportAdmin(HistoryAdmin):
    """Read-only: reports change only through the workflow (web pages and API), never behind its back."""

    list_display = ["directorate", "cycle", "state", "submitted_at", "submitted_late"]
    list_filter = ["cycle", "state", "directorate__kind"]
    search_fields = ["directorate__code", "directorate__name_fr"]
    list_select_related = ["directorate", "cycle"]
    inlines = [OutcomeInline, AchievementInline, ConstraintInline, EventInline, ReviewItemInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
