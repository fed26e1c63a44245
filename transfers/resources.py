"""django-import-export resources: the fast import path, and exports.

Why not the defaults: a default ``ModelResource`` runs several queries per row (instance lookup,
foreign-key lookup, a savepoint, the save and its history row; django-import-export issue #921).
``FastModelResource`` instead

- prefetches what rows refer to once (units by code, existing rows by their natural key) in
  ``before_import`` and a composite-key instance loader;
- validates every row in Python (``check_row``), reusing the services' rules, and reports each
  problem as a row error — bulk mode skips ``save()`` and signals, so nothing may rely on them;
- skips unchanged rows by comparing a cheap snapshot of the imported attributes (``skip_diff``
  avoids the deep copies and HTML diffs of the default);
- writes in bulk (``bulk_create`` / ``bulk_update``) with their simple_history rows
  (``core.audit``), never during a preview (a dry run writes nothing at all);
- calls the business guards once per (unit, year), not once per row.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader

from core import audit
from core.errors import DomainError
from directorates import services as directorate_services
from directorates.models import Deliverable, Directorate
from figures.models import Figure
from reviews.models import Outcome, Report
from roadmap.models import Objective, ObjectiveStatus
from transfers import widgets
from transfers.readers import ROW_KEY, _normalise, header_map_for

PROGRESS_EVERY = 500


def _key_text(value):
    return "" if value is None else str(value).strip()


class FastModelResource(resources.ModelResource):
    """Base of the fast import resources. Subclasses define fields, ``compared`` and ``check_row``."""

    # Attribute names compared to decide whether an existing row is unchanged.
    compared: tuple[str, ...] = ()

    class Meta:
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        skip_unchanged = True
        skip_html_diff = True
        use_transactions = True
        clean_model_instances = False  # full_clean() would run a uniqueness query per row
        report_skipped = False
        store_instance = False

    def __init__(self, *, actor=None, year=None, reason="", progress=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.restrict_year = year
        self.reason = reason
        self.progress = progress
        self.total_rows = 0
        self.units_by_code = {}
        for field in self.fields.values():
            if isinstance(field.widget, widgets.UnitCodeWidget):
                field.widget.units = self.units_by_code

    # ------------------------------------------------------------------ hooks

    def before_import(self, dataset, **kwargs):
        if ROW_KEY not in dataset.headers:
            # Read by django-import-export itself (the admin's import): translate the headers to column
            # keys and number the rows as in the file, as transfers.readers does.
            from transfers import kinds

            kind = next(k for k in kinds.importable() if k.import_resource is type(self))
            mapping = header_map_for(kind.columns)
            dataset.headers = [mapping.get(_normalise(h), h) for h in dataset.headers]
            dataset.append_col(list(range(2, len(dataset) + 2)), header=ROW_KEY)
        self.total_rows = len(dataset)
        self.prepare(dataset)

    def prepare(self, dataset):
        """Prefetch what the rows refer to (one query each, whatever the number of rows)."""

    def get_import_fields(self):
        # The default recomputes the field order for every row; it cannot change during an import.
        cached = self.__dict__.get("_import_fields")
        if cached is None:
            cached = self.__dict__["_import_fields"] = super().get_import_fields()
        return cached

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            instance._import_snapshot = self.snapshot(instance)

    def snapshot(self, instance):
        return tuple(getattr(instance, attname) for attname in self.compared)

    def import_instance(self, instance, row, **kwargs):
        """Set each field from its cell, then check the row's rules; every problem becomes a row error.

        The same job as the default (``Field.save`` per field) without its generic per-cell overhead:
        these resources' fields are plain attributes, cleaned by their widget.
        """
        errors = {}
        for field in self.get_import_fields():
            column = field.column_name
            if column not in row:
                continue
            try:
                value = field.widget.clean(row[column], row=row)
            except ValueError as error:
                errors[field.attribute] = [str(error)]
                continue
            setattr(instance, field.attribute, value)
        self.check_row(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors):
        """Add ``{attribute: [message]}`` for every rule the row breaks."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or getattr(instance, "_import_snapshot", None) is None:
            return False
        return instance._import_snapshot == self.snapshot(instance)

    def after_import_row(self, row, row_result, **kwargs):
        number = kwargs.get("row_number", 0)
        if self.progress and number % PROGRESS_EVERY == 0:
            self.progress(number, self.total_rows)

    # ------------------------------------------------------------------ writes

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.create_instances = self.create_instances, []
        if dry_run or not instances:
            return  # a preview writes nothing: every rule was checked in Python
        try:
            audit.bulk_create(
                self._meta.model, instances, actor=self.actor, reason=self.reason, batch_size=batch_size or 1000
            )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.update_instances = self.update_instances, []
        if dry_run or not instances:
            return
        try:
            self._meta.model.objects.bulk_update(instances, self.bulk_update_fields(), batch_size=batch_size or 1000)
            audit.record_update(instances, actor=self.actor, reason=self.reason)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)

    def bulk_update_fields(self):
        return [attname.removesuffix("_id") for attname in self.compared]


class CompositeKeyLoader(BaseInstanceLoader):
    """Existing rows of the file, loaded in one query and looked up by the resource's natural key."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = resource.load_existing(dataset)

    def get_instance(self, row):
        return self.instances.get(self.resource.natural_key(row))


# ====================================================================== deliverables


_INTEGER = widgets.IntegerWidget()


def _year_of(value):
    try:
        return _INTEGER.clean(value)
    except ValueError:
        return None


class DeliverableResource(FastModelResource):
    """A unit's cahier des charges: one row per deliverable, keyed by (unit code, year, title)."""

    directorate = fields.Field(attribute="directorate", column_name="unit_code", widget=widgets.UnitCodeWidget())
    year = fields.Field(attribute="year", column_name="year", widget=widgets.IntegerWidget())
    title = fields.Field(attribute="title", column_name="title", widget=widgets.TextWidget())
    description = fields.Field(attribute="description", column_name="description", widget=widgets.TextWidget())
    category = fields.Field(
        attribute="category", column_name="category", widget=widgets.ChoiceWidget(Deliverable.Category.choices)
    )
    target_quantity = fields.Field(
        attribute="target_quantity", column_name="target_quantity", widget=widgets.DecimalWidget()
    )
    target_unit = fields.Field(attribute="target_unit", column_name="target_unit", widget=widgets.TextWidget())
    target_date = fields.Field(attribute="target_date", column_name="target_date", widget=widgets.DateWidget())
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=widgets.DateWidget())

    compared = ("description", "category", "target_quantity", "target_unit", "target_date", "due_date")

    class Meta(FastModelResource.Meta):
        model = Deliverable
        fields = (
            "directorate",
            "year",
            "title",
            "description",
            "category",
            "target_quantity",
            "target_unit",
            "target_date",
            "due_date",
        )
        import_id_fields = ("directorate", "year", "title")
        instance_loader_class = CompositeKeyLoader

    def natural_key(self, row):
        unit = self.units_by_code.get(_key_text(row.get("unit_code")))
        return (unit.pk if unit else None, _year_of(row.get("year")), _key_text(row.get("title")))

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        created = [] if dry_run else list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        # The same announcement as the form, the API and the roadmap: open reports get their outcome rows.
        directorate_services.deliverables_added(deliverables=created, actor=self.actor)

    def prepare(self, dataset):
        codes = {_key_text(code) for code in dataset["unit_code"]}
        self.units_by_code.update({unit.code: unit for unit in Directorate.objects.filter(code__in=codes)})
        self.pair_problems = self._pair_problems(dataset)
        # Duplicate rows: the first occurrence of a key wins, later ones are errors naming it.
        self.first_row_of = {}
        self.duplicate_of = {}
        for values in zip(dataset["unit_code"], dataset["year"], dataset["title"], dataset[ROW_KEY], strict=True):
            key = (_key_text(values[0]), _year_of(values[1]), _key_text(values[2]).casefold())
            if key in self.first_row_of:
                self.duplicate_of[values[3]] = self.first_row_of[key]
            else:
                self.first_row_of[key] = values[3]

    def _pair_problems(self, dataset):
        """(unit id, year) → message, for pairs the actor may not change: checked once per pair."""
        pairs = {
            (self.units_by_code[_key_text(code)], _year_of(year))
            for code, year in zip(dataset["unit_code"], dataset["year"], strict=True)
            if _key_text(code) in self.units_by_code and _year_of(year) is not None
        }
        problems, allowed = {}, []
        for unit, year in pairs:
            if not can_import_deliverables_for(self.actor, unit):
                problems[(unit.pk, year)] = (
                    "directorate",
                    _("You may not import into the unit “%(code)s”.") % {"code": unit.code},
                )
            elif self.restrict_year and year != self.restrict_year:
                problems[(unit.pk, year)] = (
                    "year",
                    _("This import is for %(year)s only.") % {"year": self.restrict_year},
                )
            else:
                allowed.append((unit, year))
        # Every business guard once for the whole file, not once per (unit, year).
        for key, error in directorate_services.deliverable_change_problems(allowed).items():
            problems[key] = ("directorate", str(error.message))
        return problems

    def load_existing(self, dataset):
        unit_ids = {unit.pk for unit in self.units_by_code.values()}
        years = {_year_of(year) for year in dataset["year"]} - {None}
        if not unit_ids or not years:
            return {}
        existing = Deliverable.objects.filter(directorate_id__in=unit_ids, year__in=years).select_related("directorate")
        return {(d.directorate_id, d.year, d.title): d for d in existing}

    def check_row(self, instance, row, errors):
        number = row.get(ROW_KEY)
        if number in self.duplicate_of:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Duplicate row: the same unit, year and title as row %(row)s.") % {"row": self.duplicate_of[number]}
            )
        year = instance.year
        if "year" not in errors:
            if year is None:
                errors["year"] = [_("A year is required.")]
            elif not 2000 <= year <= 2100:
                errors["year"] = [_("“%(value)s” is not a valid year.") % {"value": year}]
        if "directorate" not in errors and "year" not in errors:
            problem = self.pair_problems.get((instance.directorate_id, year))
            if problem:
                errors.setdefault(problem[0], []).append(problem[1])
                return
        if "year" in errors:
            return
        snapshot = getattr(instance, "_import_snapshot", None)
        if snapshot is not None and snapshot != self.snapshot(instance):
            # A changed row of a deliverable handed over from the approved roadmap: refused, as on every path.
            try:
                # An import carries no reason: it is refused for everyone (actor=None).
                directorate_services.check_roadmap_deliverable_change(actor=None, deliverable=instance)
            except DomainError as error:
                errors.setdefault(NON_FIELD_ERRORS, []).append(str(error.message))
        # The same rules as the web form and the API (directorates.services).
        data = {
            "title": instance.title,
            "category": instance.category if "category" not in errors else Deliverable.Category.OPERATIONS,
            "target_quantity": instance.target_quantity if "target_quantity" not in errors else None,
            "due_date": instance.due_date if "due_date" not in errors else datetime.date(year, 1, 1),
        }
        try:
            directorate_services._validate_deliverable(year=year, data=data)
        except DomainError as error:
            for attribute, messages in error.errors.items():
                errors.setdefault(attribute, []).extend(str(m) for m in messages)
        if len(instance.title) > 300:
            errors.setdefault("title", []).append(_("At most 300 characters."))
        if len(instance.target_unit) > 50:
            errors.setdefault("target_unit", []).append(_("At most 50 characters."))
        if (
            instance.target_quantity is not None
            and "target_quantity" not in errors
            and abs(instance.target_quantity) >= 10**12
        ):
            errors["target_quantity"] = [_("The number is too large.")]

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.origin = Deliverable.Origin.IMPORTED
            instance.origin_reference = self.reason[:100]
        else:
            instance.updated_at = timezone.now()

    def bulk_update_fields(self):
        return [*super().bulk_update_fields(), "updated_at"]


def can_import_deliverables_for(user, unit):
    """The same rule as the web form and the API (directorates.services.can_manage_deliverables)."""
    return directorate_services.can_manage_deliverables(user, unit)


# ====================================================================== units


class UnitResource(FastModelResource):
    """The organisation tree, keyed by unit code. Rows are saved one by one through the service
    (a unit's path derives from its parent's, and moving a unit moves its subtree): the tree is a few
    hundred rows, not a bulk load."""

    code = fields.Field(attribute="code", column_name="code", widget=widgets.TextWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=widgets.ChoiceWidget(Directorate.Kind.choices))
    parent = fields.Field(attribute="parent", column_name="parent_code", widget=widgets.UnitCodeWidget(required=False))
    name_fr = fields.Field(attribute="name_fr", column_name="name_fr", widget=widgets.TextWidget())
    name_ar = fields.Field(attribute="name_ar", column_name="name_ar", widget=widgets.TextWidget())
    name_en = fields.Field(attribute="name_en", column_name="name_en", widget=widgets.TextWidget())

    compared = ("kind", "parent_id", "name_fr", "name_ar", "name_en")

    class Meta(FastModelResource.Meta):
        model = Directorate
        # save_instance below saves each unit through the service (never in a preview); "bulk" only spares
        # a savepoint per row, useless here since any error rolls the whole import back anyway.
        use_bulk = True
        fields = ("code", "kind", "parent", "name_fr", "name_ar", "name_en")
        import_id_fields = ("code",)
        instance_loader_class = CompositeKeyLoader

    def natural_key(self, row):
        return _key_text(row.get("code"))

    def prepare(self, dataset):
        # The whole tree: parents may be anywhere in it (a few hundred rows).
        self.units_by_code.update({unit.code: unit for unit in Directorate.objects.select_related("parent")})
        self.seen = {}

    def load_existing(self, dataset):
        return dict(self.units_by_code)

    def snapshot(self, instance):
        return (
            instance.kind,
            instance.parent.code if instance.parent else None,
            instance.name_fr,
            instance.name_ar,
            instance.name_en,
        )

    def check_row(self, instance, row, errors):
        number = row.get(ROW_KEY)
        code = instance.code
        if not self.actor or not self.actor.is_superuser:
            errors.setdefault(NON_FIELD_ERRORS, []).append(_("Only an administrator may change the organisation tree."))
            return
        if code in self.seen:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Duplicate row: the same code as row %(row)s.") % {"row": self.seen[code]}
            )
        else:
            self.seen[code] = number
        if not code:
            errors.setdefault("code", []).append(_("A code is required."))
        elif len(code) > 20 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
            errors.setdefault("code", []).append(
                _("“%(value)s” is not a valid code (letters, digits, - and _, at most 20).") % {"value": code}
            )
        if not instance.kind and "kind" not in errors:
            errors["kind"] = [_("A kind is required.")]
        for attribute in ("name_fr", "name_ar", "name_en"):
            value = getattr(instance, attribute)
            if not value:
                errors.setdefault(attribute, []).append(_("A name is required."))
            elif len(value) > 200:
                errors.setdefault(attribute, []).append(_("At most 200 characters."))
        parent = instance.parent if "parent" not in errors else None
        if parent is not None:
            if parent.code == code:
                errors.setdefault("parent", []).append(_("A unit cannot be its own parent."))
            elif instance.pk and parent.path and instance.contains(parent):
                errors.setdefault("parent", []).append(
                    _("A unit cannot be placed under itself or one of its sub-units.")
                )

    def save_instance(self, instance, is_create, row, **kwargs):
        if not kwargs.get("dry_run"):
            directorate_services.directorate_save(actor=self.actor, directorate=instance)
        # Later rows may name this unit as their parent (the template lists parents first).
        self.units_by_code[instance.code] = instance


# ====================================================================== exports


class DeliverableExportResource(resources.ModelResource):
    unit_code = fields.Field(attribute="directorate", column_name="unit_code", widget=widgets.UnitCodeWidget())
    year = fields.Field(attribute="year", column_name="year", widget=widgets.IntegerWidget())
    title = fields.Field(attribute="title", column_name="title")
    description = fields.Field(attribute="description", column_name="description")
    category = fields.Field(attribute="category", column_name="category")
    target_quantity = fields.Field(
        attribute="target_quantity", column_name="target_quantity", widget=widgets.DecimalWidget()
    )
    target_unit = fields.Field(attribute="target_unit", column_name="target_unit")
    target_date = fields.Field(attribute="target_date", column_name="target_date", widget=widgets.DateWidget())
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=widgets.DateWidget())

    class Meta:
        model = Deliverable
        fields = (
            "unit_code",
            "year",
            "title",
            "description",
            "category",
            "target_quantity",
            "target_unit",
            "target_date",
            "due_date",
        )


class UnitExportResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code")
    kind = fields.Field(attribute="kind", column_name="kind")
    parent_code = fields.Field(attribute="parent", column_name="parent_code", widget=widgets.UnitCodeWidget())
    name_fr = fields.Field(attribute="name_fr", column_name="name_fr")
    name_ar = fields.Field(attribute="name_ar", column_name="name_ar")
    name_en = fields.Field(attribute="name_en", column_name="name_en")

    class Meta:
        model = Directorate
        fields = ("code", "kind", "parent_code", "name_fr", "name_ar", "name_en")


class ReportExportResource(resources.ModelResource):
    unit_code = fields.Field(column_name="unit_code")
    unit_name = fields.Field(column_name="unit_name")
    year = fields.Field(column_name="year")
    state = fields.Field(column_name="state")
    late = fields.Field(column_name="late")
    submitted_at = fields.Field(column_name="submitted_at")
    completeness = fields.Field(column_name="completeness")
    summary = fields.Field(attribute="summary", column_name="summary")

    class Meta:
        model = Report
        fields = ("unit_code", "unit_name", "year", "state", "late", "submitted_at", "completeness", "summary")

    def dehydrate_unit_code(self, report):
        return report.directorate.code

    def dehydrate_unit_name(self, report):
        return report.directorate.name

    def dehydrate_year(self, report):
        return report.cycle.year

    def dehydrate_state(self, report):
        return str(report.get_state_display())

    def dehydrate_late(self, report):
        return str(_("yes") if report.late else _("no"))

    def dehydrate_submitted_at(self, report):
        return timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M") if report.submitted_at else ""

    def dehydrate_completeness(self, report):
        return report.completeness


class OutcomeExportResource(resources.ModelResource):
    """Each deliverable's outcome in the annual reports, one row each."""

    unit_code = fields.Field(column_name="unit_code")
    year = fields.Field(column_name="year")
    deliverable = fields.Field(column_name="deliverable")
    status = fields.Field(column_name="status")
    percent_done = fields.Field(attribute="percent_done", column_name="percent_done", widget=widgets.IntegerWidget())
    comment = fields.Field(attribute="comment", column_name="comment")
    evidence = fields.Field(attribute="evidence", column_name="evidence")

    class Meta:
        model = Outcome
        fields = ("unit_code", "year", "deliverable", "status", "percent_done", "comment", "evidence")

    def dehydrate_unit_code(self, outcome):
        return outcome.report.directorate.code

    def dehydrate_year(self, outcome):
        return outcome.report.cycle.year

    def dehydrate_deliverable(self, outcome):
        return outcome.deliverable.title

    def dehydrate_status(self, outcome):
        return str(outcome.get_status_display()) if outcome.status else ""


# ====================================================================== yearly figures


class FigureResource(FastModelResource):
    """Yearly figures: one row per (unit code, year, indicator code) with its value and source note.

    Every rule is figures' own: ``prepare`` hands the whole file to ``figures.services.figure_check_many``
    once (the catalogue, duplicates, the permission and report lock once per (unit, year), the value), and
    applying calls ``figures.services.figure_set_many`` — the one write path of figures, which checks the
    rows again under lock and writes them in bulk with their history rows. The import adds only what is
    particular to a file: a value is required (an empty cell does not clear a figure), the year must
    have a review cycle, and unit people import into the year they chose.
    """

    directorate = fields.Field(attribute="directorate", column_name="unit_code", widget=widgets.UnitCodeWidget())
    year = fields.Field(attribute="year", column_name="year", widget=widgets.IntegerWidget())
    indicator = fields.Field(attribute="indicator", column_name="indicator_code", widget=widgets.TextWidget())
    value = fields.Field(attribute="value", column_name="value", widget=widgets.DecimalWidget())
    source_note = fields.Field(attribute="source_note", column_name="source_note", widget=widgets.TextWidget())

    compared = ("value", "source_note")

    class Meta(FastModelResource.Meta):
        model = Figure
        fields = ("directorate", "year", "indicator", "value", "source_note")
        import_id_fields = ("directorate", "year", "indicator")
        instance_loader_class = CompositeKeyLoader

    def prepare(self, dataset):
        from figures import services as figure_services

        numbers = dataset[ROW_KEY]
        self.has_notes = "source_note" in dataset.headers
        notes = dataset["source_note"] if self.has_notes else [""] * len(dataset)
        raw = [
            {
                "directorate": _key_text(code),
                "indicator": _key_text(indicator),
                "year": _year_of(year),
                "value": value,
                "source_note": _key_text(note),
            }
            for code, year, indicator, value, note in zip(
                dataset["unit_code"],
                dataset["year"],
                dataset["indicator_code"],
                dataset["value"],
                notes,
                strict=True,
            )
        ]
        checked, errors = figure_services.figure_check_many(
            actor=self.actor, rows=raw, require_cycle=True, check_flags=True
        )
        self.checked = dict(zip(numbers, checked, strict=True))
        self.errors_of = {numbers[int(index)]: row_errors for index, row_errors in errors.items()}
        for number, source, row in zip(numbers, raw, checked, strict=True):
            extra = {}
            if self.restrict_year and row["year"] is not None and row["year"] != self.restrict_year:
                extra["year"] = [_("This import is for %(year)s only.") % {"year": self.restrict_year}]
            if source["value"] is None or (isinstance(source["value"], str) and not source["value"].strip()):
                extra["value"] = [_("A value is required.")]
            for attribute, messages in extra.items():
                # The chosen year says more than figures' message about the same cell.
                self.errors_of.setdefault(number, {})[attribute] = messages
        self.to_write = []

    def natural_key(self, row):
        checked = self.checked.get(row.get(ROW_KEY))
        if not checked or checked["directorate"] is None or checked["indicator"] is None:
            return None
        return (checked["directorate"].pk, checked["year"], checked["indicator"].pk)

    def load_existing(self, dataset):
        rows = [row for row in self.checked.values() if row["directorate"] and row["indicator"]]
        years = {row["year"] for row in rows if isinstance(row["year"], int)}
        if not rows or not years:
            return {}
        units = {row["directorate"].pk: row["directorate"] for row in rows}
        indicators = {row["indicator"].pk: row["indicator"] for row in rows}
        existing = {}
        for figure in Figure.objects.filter(directorate_id__in=units, year__in=years, indicator_id__in=indicators):
            # Already loaded: the import's results name each row (str(figure)) without a query.
            figure.directorate, figure.indicator = units[figure.directorate_id], indicators[figure.indicator_id]
            existing[(figure.directorate_id, figure.year, figure.indicator_id)] = figure
        return existing

    def import_instance(self, instance, row, **kwargs):
        number = row.get(ROW_KEY)
        errors = self.errors_of.get(number)
        if errors:
            raise ValidationError(errors)
        checked = self.checked[number]
        if not self.has_notes and instance.pk is not None:
            checked["source_note"] = instance.source_note  # a file without the column keeps the notes
        if instance.pk is None:
            instance.directorate = checked["directorate"]
            instance.indicator = checked["indicator"]
            instance.year = checked["year"]
        instance.value = checked["value"]
        instance.source_note = checked["source_note"]

    def save_instance(self, instance, is_create, row, **kwargs):
        # Written all at once by figures' service after the loop (after_import), never in a preview.
        self.to_write.append(self.checked[row.get(ROW_KEY)])

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run", True) or not self.to_write:
            return
        if result.has_errors() or result.has_validation_errors():
            return
        from figures import services as figure_services

        figure_services.figure_set_many(actor=self.actor, rows=self.to_write, reason=self.reason)


class FigureExportResource(resources.ModelResource):
    unit_code = fields.Field(attribute="directorate", column_name="unit_code", widget=widgets.UnitCodeWidget())
    year = fields.Field(attribute="year", column_name="year", widget=widgets.IntegerWidget())
    indicator_code = fields.Field(column_name="indicator_code")
    value = fields.Field(attribute="value", column_name="value", widget=widgets.DecimalWidget())
    source_note = fields.Field(attribute="source_note", column_name="source_note")

    class Meta:
        model = Figure
        fields = ("unit_code", "year", "indicator_code", "value", "source_note")

    def dehydrate_indicator_code(self, figure):
        return figure.indicator.code


class ObjectiveExportResource(resources.ModelResource):
    """Roadmap objectives, one row each, with their status computed today (by the database)."""

    year = fields.Field(column_name="year")
    ref = fields.Field(attribute="ref", column_name="ref")
    owner_code = fields.Field(column_name="owner_code")
    title = fields.Field(attribute="title", column_name="title")
    category = fields.Field(column_name="category")
    target = fields.Field(attribute="target", column_name="target")
    status = fields.Field(column_name="status")
    state = fields.Field(column_name="state")
    priority_code = fields.Field(column_name="priority_code")

    class Meta:
        model = Objective
        fields = ("year", "ref", "owner_code", "title", "category", "target", "status", "state", "priority_code")

    def dehydrate_year(self, objective):
        return objective.roadmap.year

    def dehydrate_owner_code(self, objective):
        return objective.owner.code

    def dehydrate_category(self, objective):
        return str(objective.get_category_display()) if objective.category else ""

    def dehydrate_status(self, objective):
        return str(ObjectiveStatus(objective.status).label)  # annotated by roadmap.selectors.objective_queryset

    def dehydrate_state(self, objective):
        return str(objective.get_state_display())

    def dehydrate_priority_code(self, objective):
        return objective.priority.code if objective.priority else ""
