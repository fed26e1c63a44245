"""Report list and dashboard: SQL queries and time as units grow (they must not grow with units)."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from directorates.models import Directorate, Membership, User
from reviews import selectors, services
from tests.factories import CycleFactory, DeliverableFactory, DirectorateFactory, office_user


def _build(n_units, cycle, office):
    region = DirectorateFactory(kind=Directorate.Kind.SECURITY_PREFECTURE)
    for _ in range(n_units):
        unit = DirectorateFactory(parent=region)
        for _ in range(5):
            DeliverableFactory(directorate=unit, year=cycle.year)
        head = User.objects.create(username=f"h{unit.code}")
        Membership.objects.create(user=head, directorate=unit, role=Membership.Role.EDITOR)
        services.report_start(actor=head, cycle=cycle, directorate=unit)


def run():
    cycle = CycleFactory(year=2022)
    office = office_user(username="office")
    for added in (50, 450):
        _build(added, cycle, office)
        units = Directorate.objects.count()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            rows = selectors.cycle_dashboard(cycle=cycle)
            elapsed = time.perf_counter() - started
        print(f"   dashboard, {units} units: {len(ctx)} queries, {elapsed * 1000:.0f} ms, {len(rows)} rows")
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            reports = list(selectors.report_detail_queryset(user=office))
            elapsed = time.perf_counter() - started
        print(f"   reports with all parts, {len(reports)} reports: {len(ctx)} queries, {elapsed * 1000:.0f} ms")
