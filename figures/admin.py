from django.contrib import admin

from core.admin import HistoryAdmin
from figures.models import Bilan, BilanSection, Figure, Indicator


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    """The catalogue is kept by administrators here; model.clean() checks derived definitions."""

    list_display = [
        "code",
        "name_fr",
        "domain",
        "unit",
        "rollup",
        "national_only",
        "is_derived",
        "is_active",
        "is_public",
        "change_threshold",
    ]
    list_filter = ["domain", "unit", "rollup", "national_only", "is_active", "is_public"]
    list_editable = ["is_public", "change_threshold"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]
    autocomplete_fields = ["numerator", "denominator"]
    list_select_related = ["numerator"]

    @admin.display(boolean=True, description="derived")
    def is_derived(self, obj):
        return obj.is_derived


@admin.register(Figure)
class FigureAdmin(HistoryAdmin):
    """Read-only: figures are written through figures.services (report lock, validation, history)."""

    list_display = ["year", "directorate", "indicator", "value", "entered_by", "updated_at"]
    list_filter = ["year", "indicator__domain"]
    search_fields = ["directorate__code", "indicator__code"]
    list_select_related = ["directorate", "indicator", "entered_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectionInline(admin.StackedInline):
    model = BilanSection
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Bilan)
class BilanAdmin(HistoryAdmin):
    """Read-only: the bilan is drafted, approved and published through its pages (services)."""

    list_display = ["year", "state", "approved_by", "published_at"]
    inlines = [SectionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
