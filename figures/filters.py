"""Declared filters of the figures lists and dashboards, shared by the web pages and the API (core.filters)."""

import django_filters

from core.filters import CodeFilter, YearFilter
from figures.models import Domain, Figure, Indicator, MeasureUnit


class FigureFilter(django_filters.FilterSet):
    """``/api/v1/figures/?year=&directorate=&indicator=``."""

    year = YearFilter(help_text="Year of the figures.")
    directorate = CodeFilter(field_name="directorate__code", help_text="Unit code.")
    indicator = CodeFilter(field_name="indicator__code", help_text="Indicator code.")

    class Meta:
        model = Figure
        fields = ["year", "directorate", "indicator"]


class IndicatorFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    unit = django_filters.ChoiceFilter(choices=MeasureUnit.choices)

    class Meta:
        model = Indicator
        fields = ["domain", "unit", "national_only"]


def _keep(queryset, name, value):
    return queryset  # read by the page itself (which series, which year's bilan), not a row filter


class DashboardFilter(django_filters.FilterSet):
    """``/figures/?indicator=&year=&domain=``: which series and which year's changes to draw."""

    indicator = CodeFilter(method=_keep)
    year = YearFilter(method=_keep)
    domain = django_filters.ChoiceFilter(choices=Domain.choices, method=_keep)

    class Meta:
        model = Indicator
        fields = ["indicator", "year", "domain"]


class UnitDashboardFilter(django_filters.FilterSet):
    """``/units/{code}/figures/?year=``: the year compared with the unit's peers."""

    year = YearFilter(method=_keep)

    class Meta:
        model = Figure
        fields = ["year"]
