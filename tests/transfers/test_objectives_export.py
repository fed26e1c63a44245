"""Roadmap objectives export (issue 6, item 5): what the user may see, status computed, formulas neutralised."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmap.models import Objective
from tests.roadmap.conftest import accepted_report, approved, draft, priorities  # noqa: F401 (fixtures)
from transfers import services

from .test_exports import _csv_rows, _xlsx_rows

pytestmark = pytest.mark.django_db

HEADERS = [
    "Year",
    "Reference",
    "Owner unit code",
    "Title",
    "Category",
    "Measurable target",
    "Status",
    "State",
    "Priority code",
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_dg_office_exports_every_objective_with_its_columns(approved, olga, fmt):
    content = services.export_file(user=olga, kind_key="objectives", fmt=fmt)
    rows = _xlsx_rows(content) if fmt == "xlsx" else _csv_rows(content)
    assert rows[0] == HEADERS
    objectives = Objective.objects.select_related("owner", "priority")
    assert len(rows) == 1 + objectives.count()
    by_ref = {row[1]: row for row in rows[1:]}
    for objective in objectives:
        row = by_ref[objective.ref]
        assert str(row[0]) == "2023"
        assert row[2] == objective.owner.code
        assert row[6] in {"On track", "At risk", "Late", "Done"}
        assert row[7] == "Active"
        assert row[8] == (objective.priority.code if objective.priority else None if fmt == "xlsx" else "")


def test_a_unit_exports_only_its_own_objectives(approved, charlie, olga):
    every = {row[2] for row in _csv_rows(services.export_file(user=olga, kind_key="objectives", fmt="csv"))[1:]}
    theirs = {row[2] for row in _csv_rows(services.export_file(user=charlie, kind_key="objectives", fmt="csv"))[1:]}
    assert theirs == {"WS-B"} and len(every) > 1


def test_objective_titles_that_would_run_a_formula_are_neutralised(approved, olga):
    Objective.objects.filter(pk=Objective.objects.first().pk).update(title="=cmd|' /C calc'!A0")
    rows = _csv_rows(services.export_file(user=olga, kind_key="objectives", fmt="csv"))
    assert "'=cmd|' /C calc'!A0" in [row[3] for row in rows[1:]]


def test_objectives_export_page_runs_constant_queries(client, approved, olga, unit_b):
    client.force_login(olga)
    url = reverse("transfers:export", args=["objectives", "xlsx"])
    counts = []
    for more in (0, 20):
        for i in range(more):
            Objective.objects.create(
                roadmap=approved,
                ref=f"X-{i}",
                owner=unit_b,
                title=f"Objectif {i}",
                category="operations",
                source_kind="new",
                source_key=f"x-{i}",
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8
