"""core.pagination.DeferredJoinPaginator: the same pages as Django's Paginator, fetched by their keys."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import DeferredJoinPaginator
from directorates.models import Deliverable
from tests.factories import DeliverableFactory, DirectorateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliverables():
    # Ordered by a joined column (the unit's path), as the national lists are.
    units = [DirectorateFactory() for _ in range(4)]
    for index in range(23):
        DeliverableFactory(directorate=units[index % 4], title=f"D{index:02}")
    return Deliverable.objects.select_related("directorate").order_by("directorate__path", "-title")


@pytest.mark.parametrize("per_page, orphans", [(5, 0), (5, 2), (10, 3), (50, 0)])
def test_every_page_holds_the_same_rows_in_the_same_order_as_djangos_paginator(deliverables, per_page, orphans):
    expected = Paginator(deliverables, per_page, orphans=orphans)
    deferred = DeferredJoinPaginator(deliverables, per_page, orphans=orphans)
    assert deferred.num_pages == expected.num_pages
    for number in expected.page_range:
        page = deferred.page(number)
        assert [d.pk for d in page] == [d.pk for d in expected.page(number)]
        assert (page.has_next(), page.start_index(), page.end_index()) == (
            expected.page(number).has_next(),
            expected.page(number).start_index(),
            expected.page(number).end_index(),
        )


def test_the_rows_come_with_their_joins_in_two_queries_whatever_the_page(deliverables):
    paginator = DeferredJoinPaginator(deliverables, 5)
    paginator.count  # noqa: B018 (the count is its own query, as with Django's Paginator)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(3))
        units = [row.directorate.code for row in rows]
    assert len(queries) == 2
    keys_sql, rows_sql = (query["sql"] for query in queries.captured_queries)
    assert 'directorates_deliverable"."title"' not in keys_sql.split("FROM")[0]  # keys only
    assert len(units) == 5 and "IN (" in rows_sql


def test_a_row_gone_between_the_two_queries_is_left_out(deliverables, monkeypatch):
    paginator = DeferredJoinPaginator(deliverables, 5)
    first = list(deliverables.values_list("pk", flat=True)[:5])
    real_filter = type(deliverables).filter

    def filter_then_delete(queryset, *args, **kwargs):
        if "pk__in" in kwargs:
            Deliverable.objects.filter(pk=first[1]).delete()
        return real_filter(queryset, *args, **kwargs)

    monkeypatch.setattr(type(deliverables), "filter", filter_then_delete)
    assert [row.pk for row in paginator.page(1)] == [pk for pk in first if pk != first[1]]


def test_an_out_of_range_page_is_refused_as_by_djangos_paginator(deliverables):
    assert DeferredJoinPaginator(deliverables, 5).get_page(99).number == 5
