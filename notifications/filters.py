"""Declared filters of the delivery log, shared by its web page and the API (core.filters)."""

import django_filters

from core.filters import YearFilter
from notifications import registry
from notifications.models import Delivery


def _kinds():
    return [(key, kind.label) for key, kind in registry.REGISTRY.items()]


class DeliveryFilter(django_filters.FilterSet):
    """``/notifications/cycles/{year}/?state=&kind=`` and ``/api/v1/deliveries/?cycle=&state=&kind=``."""

    cycle = YearFilter(field_name="cycle__year", help_text="Year of the review cycle.")
    state = django_filters.ChoiceFilter(choices=Delivery.State.choices)
    kind = django_filters.ChoiceFilter(choices=_kinds)

    class Meta:
        model = Delivery
        fields = ["cycle", "state", "kind"]
