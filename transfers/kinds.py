"""The registry of importable and exportable kinds.

A kind is everything the generic machinery (readers, services, tasks, views, templates) needs to know:
its columns (key, translated header, required?), the import resource, who may import or export it,
what a user may export (a selector), and example rows for the downloadable template.
Adding a kind = one ``register(Kind(...))`` here and a resource in resources.py (docs/imports.md).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from import_export.resources import ModelResource

from directorates import permissions as unit_permissions
from directorates import selectors as directorate_selectors
from directorates.models import Deliverable, Directorate, User
from directorates.permissions import visible_directorates_q
from figures import permissions as figure_permissions
from figures import selectors as figure_selectors
from reviews import selectors as review_selectors
from reviews.models import Outcome
from roadmap import selectors as roadmap_selectors
from transfers import resources


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    required: bool = True
    # A coded column: callable() -> [(code, label)], the values a cell may hold (its code, or the label
    # in any site language). Listed in the templates and on the upload page.
    choices: Callable[[], Iterable[tuple[object, object]]] | None = None

    def allowed_values(self):
        return [(str(code), str(label)) for code, label in self.choices()] if self.choices else []


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    columns: tuple[Column, ...]
    export_resource: type[ModelResource]
    export_queryset: Callable[[User], QuerySet[Any]]  # what the user may see
    import_resource: type[ModelResource] | None = None
    can_import: Callable[[User], bool] | None = None  # may the user open an import of this kind at all
    example_rows: tuple[tuple[object, ...], ...] = field(default_factory=tuple)
    needs_year: Callable[[User], bool] | None = None  # must the user choose a year at upload

    @property
    def importable(self):
        return self.import_resource is not None

    def may_import(self, user):
        return bool(self.importable and user.is_authenticated and self.can_import(user))

    def requires_year(self, user):
        return bool(self.needs_year and self.needs_year(user))

    def sheet_names(self):
        """The sheet to read: its label in any site language, or its key."""
        names = [str(self.label)]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.append(str(self.label))
        return [*names, self.key]

    def headers(self):
        return [str(column.label) for column in self.columns]

    def coded_columns(self):
        """[(column, [(code, label)])] for the columns whose cells take one of a list of values."""
        return [(column, column.allowed_values()) for column in self.columns if column.choices]


REGISTRY = {}


def register(kind):
    REGISTRY[kind.key] = kind
    return kind


def get(key):
    return REGISTRY.get(key)


def importable():
    return [kind for kind in REGISTRY.values() if kind.importable]


# ---------------------------------------------------------------- units

register(
    Kind(
        key="units",
        label=_("Units"),
        columns=(
            Column("code", _("Code")),
            Column("kind", _("Kind"), choices=lambda: Directorate.Kind.choices),
            Column("parent_code", _("Parent unit code"), required=False),
            Column("name_fr", _("Name (French)")),
            Column("name_ar", _("Name (Arabic)")),
            Column("name_en", _("Name (English)")),
        ),
        import_resource=resources.UnitResource,
        can_import=lambda user: user.is_superuser,
        export_resource=resources.UnitExportResource,
        export_queryset=lambda user: directorate_selectors.directorate_list(user=user).order_by("path"),
        example_rows=(
            (
                "WS-FES",
                Directorate.Kind.SECURITY_PREFECTURE,
                "",
                "Préfecture de police de Fès",
                "ولاية أمن فاس",
                "Fez security prefecture",
            ),
            (
                "SP-SEFROU",
                Directorate.Kind.PROVINCIAL_SECURITY,
                "WS-FES",
                "Sûreté provinciale de Sefrou",
                "الأمن الإقليمي بصفرو",
                "Sefrou provincial security",
            ),
        ),
    )
)


# ---------------------------------------------------------------- deliverables (cahier des charges)


def _writes_for_a_unit(user):
    from directorates.models import Membership
    from directorates.permissions import _memberships

    return any(m.role in (Membership.Role.HEAD, Membership.Role.EDITOR) for m in _memberships(user))


def _may_import_deliverables(user):
    return unit_permissions.can_manage_deliverables_anywhere(user) or _writes_for_a_unit(user)


def _may_import_figures(user):
    return figure_permissions.can_edit_bilan(user) or _writes_for_a_unit(user)


register(
    Kind(
        key="deliverables",
        label=_("Deliverables"),
        columns=(
            Column("unit_code", _("Unit code")),
            Column("year", _("Year")),
            Column("title", _("Title")),
            Column("description", _("Description"), required=False),
            Column("category", _("Category"), choices=lambda: Deliverable.Category.choices),
            Column("target_quantity", _("Target quantity"), required=False),
            Column("target_unit", _("Target unit"), required=False),
            Column("target_date", _("Target date"), required=False),
            Column("due_date", _("Due date")),
        ),
        import_resource=resources.DeliverableResource,
        can_import=_may_import_deliverables,
        needs_year=lambda user: not unit_permissions.can_manage_deliverables_anywhere(user),
        export_resource=resources.DeliverableExportResource,
        export_queryset=lambda user: directorate_selectors.deliverable_list(user=user).order_by(
            "directorate__path", "year", "due_date", "id"
        ),
        example_rows=(
            (
                "SP-SEFROU",
                2023,
                "Créer une brigade anti-gang",
                "Brigade dédiée aux bandes organisées",
                Deliverable.Category.OPERATIONS,
                1,
                "brigade",
                "",
                datetime.date(2023, 6, 30),
            ),
            (
                "SP-SEFROU",
                2023,
                "Numériser les procès-verbaux",
                "",
                Deliverable.Category.DIGITAL,
                100,
                "%",
                "",
                datetime.date(2023, 12, 31),
            ),
        ),
    )
)


# ---------------------------------------------------------------- yearly figures

register(
    Kind(
        key="figures",
        label=_("Yearly figures"),
        columns=(
            Column("unit_code", _("Unit code")),
            Column("year", _("Year")),
            Column(
                "indicator_code",
                _("Indicator code"),
                choices=lambda: [(i.code, i.name) for i in figure_selectors.indicator_list()],
            ),
            Column("value", _("Value")),
            Column("source_note", _("Source note"), required=False),
        ),
        import_resource=resources.FigureResource,
        # Heads and editors (their unit, the year chosen at upload), the DG's office and administrators;
        # figures' own rules (figures.permissions.figure_write_problem) decide each (unit, year).
        can_import=_may_import_figures,
        needs_year=lambda user: not figure_permissions.can_edit_bilan(user),
        export_resource=resources.FigureExportResource,
        export_queryset=lambda user: figure_selectors.figure_list(user=user).order_by(
            "-year", "directorate__path", "indicator__position", "indicator__code"
        ),
        example_rows=(
            ("SP-SEFROU", 2022, "cases_handled", 5480, "Statistiques de l'unité"),
            ("SP-SEFROU", 2022, "arrests", 705, ""),
        ),
    )
)


# ---------------------------------------------------------------- exports only

register(
    Kind(
        key="reports",
        label=_("Annual reports"),
        columns=(
            Column("unit_code", _("Unit code")),
            Column("unit_name", _("Unit")),
            Column("year", _("Year")),
            Column("state", _("State")),
            Column("late", _("Late")),
            Column("submitted_at", _("Submitted at")),
            Column("completeness", _("Completeness (%)")),
            Column("summary", _("Summary")),
        ),
        export_resource=resources.ReportExportResource,
        export_queryset=lambda user: review_selectors.report_list(user=user).order_by(
            "-cycle__year", "directorate__path"
        ),
    )
)

register(
    Kind(
        key="outcomes",
        label=_("Deliverable outcomes"),
        columns=(
            Column("unit_code", _("Unit code")),
            Column("year", _("Year")),
            Column("deliverable", _("Deliverable")),
            Column("status", _("Outcome")),
            Column("percent_done", _("Percentage done")),
            Column("comment", _("Comment")),
            Column("evidence", _("Evidence")),
        ),
        export_resource=resources.OutcomeExportResource,
        export_queryset=lambda user: (
            Outcome.objects.filter(visible_directorates_q(user, "report__directorate__"))
            .select_related("report__directorate", "report__cycle", "deliverable")
            .order_by("-report__cycle__year", "report__directorate__path", "deliverable__due_date", "deliverable_id")
        ),
    )
)

register(
    Kind(
        key="objectives",
        label=_("Roadmap objectives"),
        columns=(
            Column("year", _("Year")),
            Column("ref", _("Reference")),
            Column("owner_code", _("Owner unit code")),
            Column("title", _("Title")),
            Column("category", _("Category")),
            Column("target", _("Measurable target")),
            Column("status", _("Status")),
            Column("state", _("State")),
            Column("priority_code", _("Priority code")),
        ),
        export_resource=resources.ObjectiveExportResource,
        export_queryset=lambda user: roadmap_selectors.objective_queryset(user=user).order_by(
            "-roadmap__year", "owner__path", "ref", "id"
        ),
    )
)
