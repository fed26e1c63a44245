"""Declared filters of the organisation's lists, shared by the web pages and the API (core.filters)."""

import django_filters

from core.filters import CodeFilter, YearFilter
from directorates.models import Deliverable, Directorate


class DirectorateFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Directorate.Kind.choices)

    class Meta:
        model = Directorate
        fields = ["kind", "is_active"]


class DeliverableFilter(django_filters.FilterSet):
    """``/api/v1/deliverables/?year=&directorate=&category=``."""

    year = YearFilter(help_text="Year of the cahier des charges.")
    directorate = CodeFilter(field_name="directorate__code", help_text="Unit code.")
    category = django_filters.ChoiceFilter(choices=Deliverable.Category.choices)

    class Meta:
        model = Deliverable
        fields = ["year", "directorate", "category"]
