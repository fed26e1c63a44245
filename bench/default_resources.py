"""django-import-export resources left at their defaults: what the fast import path is compared with
(``bench/compare_imports.py``). Bench-only: the application never imports them."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from directorates.models import Deliverable, Directorate
from figures.models import Figure, Indicator


class DefaultDeliverableResource(resources.ModelResource):
    """The same columns through a resource left at django-import-export's defaults (for the benchmark):
    a query per row for the unit, one for the instance, a savepoint and a save per row."""

    directorate = fields.Field(
        attribute="directorate",
        column_name="unit_code",
        widget=ForeignKeyWidget(Directorate, "code"),
    )

    class Meta:
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


class DefaultFigureResource(resources.ModelResource):
    """Figures through a resource left at django-import-export's defaults (for the benchmark):
    per row a query for the unit, one for the indicator, one for the instance, a savepoint and a save
    (with its history row). It checks nothing of figures' rules."""

    directorate = fields.Field(
        attribute="directorate",
        column_name="unit_code",
        widget=ForeignKeyWidget(Directorate, "code"),
    )
    indicator = fields.Field(
        attribute="indicator",
        column_name="indicator_code",
        widget=ForeignKeyWidget(Indicator, "code"),
    )

    class Meta:
        model = Figure
        fields = ("directorate", "year", "indicator", "value", "source_note")
        import_id_fields = ("directorate", "year", "indicator")

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    def before_save_instance(self, instance, row, **kwargs):
        instance.entered_by = self.actor  # required by the model; the default resource knows no user
        instance.source_note = instance.source_note or ""  # an empty cell reads as None
