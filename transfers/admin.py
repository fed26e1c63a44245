"""Administrators see every import (read-only: an import is a record) and import from the admin.

The admin's import/export buttons on units, deliverables and figures use the same fast resources, so the
same row rules apply; they are added here to keep the transfers app self-contained.
"""

import io

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from directorates.admin import DeliverableAdmin, DirectorateAdmin
from directorates.models import Deliverable, Directorate
from figures.admin import FigureAdmin
from figures.models import Figure
from transfers import readers, resources
from transfers.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "original_name", "created_by", "created_at", "state", "error_count", "page"]
    list_filter = ["kind", "state"]
    search_fields = ["original_name", "created_by__username"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("page"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("transfers:import_detail", args=[obj.pk]), _("open"))


class SafeXLSX(XLSX):
    """The admin's .xlsx reader, with the same zip-bomb and DTD checks as the app's own pages."""

    def create_dataset(self, in_stream):
        readers.check_xlsx(io.BytesIO(in_stream))
        return super().create_dataset(in_stream)


class _ActorResourceMixin:
    """Hands the admin's request user to the resource as the actor (history rows, permissions)."""

    import_formats = [CSV, SafeXLSX]
    export_formats = [CSV, XLSX]

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, readers.FileRejected):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "actor": request.user,
            "reason": "admin import",
        }


class DirectorateImportAdmin(_ActorResourceMixin, ImportExportMixin, DirectorateAdmin):
    resource_classes = [resources.UnitResource]

    def get_export_resource_classes(self, request):
        return [resources.UnitExportResource]


class DeliverableImportAdmin(_ActorResourceMixin, ImportExportMixin, DeliverableAdmin):
    resource_classes = [resources.DeliverableResource]

    def get_export_resource_classes(self, request):
        return [resources.DeliverableExportResource]


class FigureImportAdmin(_ActorResourceMixin, ImportExportMixin, FigureAdmin):
    """Still no form to add or change a figure: the import writes through figures.services."""

    resource_classes = [resources.FigureResource]

    def get_export_resource_classes(self, request):
        return [resources.FigureExportResource]


for model, model_admin in (
    (Directorate, DirectorateImportAdmin),
    (Deliverable, DeliverableImportAdmin),
    (Figure, FigureImportAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
