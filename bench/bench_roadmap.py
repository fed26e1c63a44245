"""Compiling the roadmap at national scale: time and SQL queries at two sizes (they must not grow with units).

Each unit has 40 deliverables in its accepted 2022 report (a third partly done, a third not done), one
constraint needing action, and one of five priorities. The reads are a fixed handful of queries; the
inserts are batched by the database's bound-parameter limit (999 on SQLite, so one INSERT per ~40
objectives there; one INSERT per table on PostgreSQL), which the figures show separately.
"""

import datetime
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from directorates.models import Deliverable, Directorate, User
from reviews.models import Outcome, Report, ReportConstraint, ReviewCycle
from roadmap import selectors, services
from roadmap.models import Objective, Priority
from tests.factories import office_user

STATUSES = [Outcome.Status.DONE, Outcome.Status.PARTIAL, Outcome.Status.NOT_DONE]


def _build(start, count, cycle, root, priorities):
    units = [
        Directorate(code=f"B{n:05d}", kind=Directorate.Kind.PROVINCIAL_SECURITY, parent=root,
                    name_fr=f"Sûreté {n}", name_ar=f"الأمن {n}", name_en=f"Security {n}", path=f"{root.path}B{n:05d}/")
        for n in range(start, start + count)
    ]
    Directorate.objects.bulk_create(units)
    units = list(Directorate.objects.filter(code__in=[u.code for u in units]))
    Deliverable.objects.bulk_create([
        Deliverable(directorate=u, year=2022, title=f"Livrable {i}", category="operations",
                    due_date=datetime.date(2022, 12, 31), target_quantity=10, target_unit="unités")
        for u in units for i in range(40)
    ], batch_size=2000)
    Report.objects.bulk_create([Report(cycle=cycle, directorate=u, state=Report.State.ACCEPTED) for u in units])
    reports = {r.directorate_id: r for r in Report.objects.filter(cycle=cycle, directorate__in=units)}
    outcomes = []
    for i, d in enumerate(Deliverable.objects.filter(directorate__in=units, year=2022).order_by("id")):
        status = STATUSES[i % 3]
        outcomes.append(Outcome(report=reports[d.directorate_id], deliverable=d, status=status,
                                percent_done={"done": 100, "partial": 50}.get(status)))
    Outcome.objects.bulk_create(outcomes, batch_size=2000)
    ReportConstraint.objects.bulk_create([
        ReportConstraint(report=r, category="budget", description="Crédits insuffisants", needs_action=True)
        for r in reports.values()
    ])
    for i, u in enumerate(units):
        priorities[i % len(priorities)].owners.add(u)


def run():
    office = office_user(username="bench.office")
    cycle = ReviewCycle.objects.create(year=2022, submission_deadline=datetime.date(2022, 12, 9),
                                       meeting_date=datetime.date(2022, 12, 22))
    root = Directorate(code="BENCH", kind=Directorate.Kind.SECURITY_PREFECTURE, name_fr="Bench", name_ar="Bench",
                       name_en="Bench")
    root.save()
    priorities = [Priority.objects.create(cycle=cycle, code=f"P{i}", title_fr=f"Priorité {i}") for i in range(5)]
    built = 0
    for size in (100, 500):
        _build(built, size - built, cycle, root, priorities)
        built = size
        Objective.history.all().delete()
        Objective.objects.all().delete()
        services.roadmap_compile(actor=office, cycle=cycle)  # warm: the roadmap row exists
        Objective.history.all().delete()
        Objective.objects.all().delete()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            _, created = services.roadmap_compile(actor=office, cycle=cycle)
            elapsed = time.perf_counter() - started
        inserts = sum(1 for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT"))
        print(f"   compile, {size} units × 40 deliverables: {created} objectives, {elapsed * 1000:.0f} ms, "
              f"{len(ctx)} queries ({len(ctx) - inserts} reads/updates + {inserts} INSERT batches)")
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            services.roadmap_compile(actor=office, cycle=cycle)
            elapsed = time.perf_counter() - started
        print(f"   compile again (nothing new), {size} units: {elapsed * 1000:.0f} ms, {len(ctx)} queries")
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            objectives = selectors.objective_list(user=office, year=2023)
            summary = selectors.tracking_summary(objectives)
            elapsed = time.perf_counter() - started
        print(f"   national view data, {summary['total']} objectives: {elapsed * 1000:.0f} ms, {len(ctx)} queries")
