"""Declared filters of the roadmap lists, shared by the web pages and the API (core.filters)."""

import django_filters
from django import forms

from core.filters import CodeFilter, YearFilter
from roadmap.models import Objective, ObjectiveStatus, Priority, Roadmap, SourceKind

STATE_CHOICES = [*Objective.State.choices, ("all", "all")]


def _keep(queryset, name, value):
    return queryset  # applied by roadmap.selectors.objective_list (status is computed, the year has a default)


class ObjectiveFilter(django_filters.FilterSet):
    """``/roadmap/{year}/?owner=&priority=&status=&source=&as_of=`` and ``/api/v1/objectives/`` (plus
    ``year`` and ``state``). The values are handed to ``selectors.objective_list``."""

    year = YearFilter(method=_keep, help_text="The roadmap's year (default: the latest).")
    owner = CodeFilter(method=_keep, help_text="Owner unit's code.")
    priority = CodeFilter(method=_keep, help_text="Priority code.")
    status = django_filters.ChoiceFilter(choices=ObjectiveStatus.choices, method=_keep)
    source = django_filters.ChoiceFilter(choices=SourceKind.choices, method=_keep)
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, method=_keep, help_text="active (default), dropped, merged or all"
    )
    as_of = django_filters.DateFilter(method=_keep, help_text="Status computed on this date (default: today).")

    class Meta:
        model = Objective
        fields = ["year", "owner", "priority", "status", "source", "state", "as_of"]

    def selector_kwargs(self):
        """The cleaned values as ``objective_list``'s keyword arguments (empty ones left out)."""
        data = self.form.cleaned_data
        kwargs = {key: data.get(key) or None for key in ("owner", "priority", "status", "source", "as_of")}
        state = data.get("state") or Objective.State.ACTIVE
        kwargs["state"] = None if state == "all" else state
        return kwargs


class PriorityFilter(django_filters.FilterSet):
    year = YearFilter(field_name="cycle__year", help_text="Year of the review cycle (meeting).")

    class Meta:
        model = Priority
        fields = ["year"]


class VersionFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, method=_keep, **kwargs)


class DiffFilter(django_filters.FilterSet):
    """``/roadmap/{year}/diff/?from=&to=`` and ``/api/v1/roadmaps/{year}/diff/``: the versions compared."""

    locals()["from"] = VersionFilter(help_text="Older version number (default: the previous one).")
    to = VersionFilter(help_text="Newer version number (default: the current state).")

    class Meta:
        model = Roadmap
        fields = ["from", "to"]
