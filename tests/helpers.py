"""Helpers shared by the query-count tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from directorates.models import Membership, User
from reviews import services
from tests.factories import DeliverableFactory, DirectorateFactory


def grow_units(cycle, n, *, parent=None, with_parts=False):
    """Add ``n`` units, each with three deliverables, an editor and a started report."""
    for _ in range(n):
        unit = DirectorateFactory(parent=parent)
        DeliverableFactory.create_batch(3, directorate=unit, year=cycle.year)
        editor = User.objects.create(username=f"e-{unit.code}")
        Membership.objects.create(user=editor, directorate=unit, role=Membership.Role.EDITOR)
        report = services.report_start(actor=editor, cycle=cycle, directorate=unit)
        if with_parts:
            services.report_update(
                actor=editor,
                report=report,
                achievements=[{"title": "a"}],
                constraints=[{"category": "other", "description": "c"}],
            )


def assert_constant_queries(django_assert_num_queries, fetch, grow):
    """``fetch`` costs the same number of queries before and after ``grow`` adds rows."""
    fetch()  # warm sessions and caches
    with CaptureQueriesContext(connection) as small:
        fetch()
    grow()
    with django_assert_num_queries(len(small)):
        fetch()


def if_match(api, url):
    """The If-Match header for a write to ``url``: the ETag of a fresh GET (optimistic concurrency)."""
    response = api.get(url)
    assert response.status_code == 200, response.content[:300]
    return {"HTTP_IF_MATCH": response["ETag"]}


def figure_versions(html):
    """The hidden ``read-<indicator>`` fields of a figures entry page: the versions a browser sends back."""
    import re

    return dict(re.findall(r'name="(read-[\w-]+)" value="([^"]*)"', html))
