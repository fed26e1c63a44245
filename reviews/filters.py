"""Declared filters of the review lists, shared by the web pages and the API (core.filters)."""

import django_filters

from core.filters import CodeFilter, YearFilter
from reviews.models import Report, ReportState, ReviewCycle


class CycleFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ReviewCycle.State.choices)

    class Meta:
        model = ReviewCycle
        fields = ["state"]


class ReportFilter(django_filters.FilterSet):
    """``/reports/?year=`` and ``/api/v1/reports/?year=&directorate=&state=``."""

    year = YearFilter(field_name="cycle__year", help_text="Year of the review cycle.")
    directorate = CodeFilter(field_name="directorate__code", help_text="Unit code.")
    state = django_filters.ChoiceFilter(choices=ReportState.choices)

    class Meta:
        model = Report
        fields = ["year", "directorate", "state"]
