"""Declared query parameters: the base pieces of every list's django-filter FilterSet.

Each list (web page and API endpoint alike) reads its query string through one FilterSet declared in
its app's ``filters.py``; a bad value is a 400 with field errors, never a 500:

- the API: ``filterset_class`` on the viewset (django-filter's backend raises a ValidationError that
  ``core.api.exception_handler`` shapes as ``{"detail", "errors": {field: [...]}}``), or
  :func:`valid_filters` where a view applies the filters itself;
- the web: :func:`valid_filters`, whose :class:`BadFilter` is a ``BadRequest`` that
  ``core.views.bad_request`` renders as the 400 page listing the fields' errors.

Text parameters refuse NUL bytes (Django's ``CharField``), years are integers in
``YEAR_MIN``–``YEAR_MAX`` (the range the models' check constraints allow).
"""

import django_filters
from django import forms
from django.core.exceptions import BadRequest
from django.utils.translation import gettext_lazy as _

YEAR_MIN, YEAR_MAX = 2000, 2100


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(**kwargs)


class YearFilter(django_filters.NumberFilter):
    """A year between ``YEAR_MIN`` and ``YEAR_MAX``; anything else is a field error."""

    field_class = YearField


class CodeFilter(django_filters.CharFilter):
    """A code (unit, indicator, priority, kind…): short text, exact match."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)


class BadFilter(BadRequest):
    """A query string that its list's FilterSet refuses; carries the form's errors for the 400 page."""

    def __init__(self, errors):
        super().__init__(_("Some filters of this page are not valid."))
        self.errors = errors


def valid_filters(filterset_class, data, queryset=None, **kwargs):
    """The bound FilterSet, or :class:`BadFilter` (web) / DRF's ValidationError (API) if ``data`` is bad."""
    filterset = filterset_class(data, queryset=queryset, **kwargs)
    if not filterset.is_valid():
        raise BadFilter(filterset.errors)
    return filterset


def api_filters(filterset_class, data, queryset=None, **kwargs):
    """As :func:`valid_filters`, raising the API's 400 ``{"detail", "errors"}``."""
    from rest_framework.exceptions import ValidationError

    filterset = filterset_class(data, queryset=queryset, **kwargs)
    if not filterset.is_valid():
        raise ValidationError({field: [str(m) for m in messages] for field, messages in filterset.errors.items()})
    return filterset
