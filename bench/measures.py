"""The measures of `make bench`: what a person does that grows with the country, and each read's floor.

A measure's callable does the whole thing a user triggers (a page through the test client, an API call,
a service for the writes and tasks); writes run in a transaction rolled back after each run, so every
run starts from the same data. A read's floor is one raw SQL query for the rows it shows, serialised
with json.dumps.
"""

import datetime
import io

from django.test import Client

from bench.run import floor, rolled_back
from directorates.models import Directorate, User
from reviews.models import Report

PAGE = 50  # the API's page size; the pages show 50 to 100 rows


class Measure:
    def __init__(self, name, func, *, floor=None, runs=None, prepare=None, write=False):
        self.name, self.func, self.floor, self.prepare, self.write = name, func, floor, prepare, write
        from bench.run import RUNS

        self.runs = runs or RUNS

    def prepared(self):
        return rolled_back(self.func, self.prepare) if self.write else self.func


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _get(client, url, **extra):
    def run():
        response = client.get(url, **extra)
        assert response.status_code == 200, (url, response.status_code)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response

    return run


def _t(model):
    return model._meta.db_table


def all_measures(data):
    from directorates.models import Deliverable
    from figures.models import Figure, Indicator
    from reviews.models import Outcome
    from roadmap.models import Milestone, Objective

    office, cycle, roadmap = data["office"], data["cycle"], data["roadmap"]
    year, last = cycle.year, data["last_cycle"].year
    office_client = _client(office)
    draft = (
        Report.objects.filter(cycle=cycle, state=Report.State.DRAFT, directorate__code__contains="-D")
        .order_by("directorate__path")
        .first()
    )
    editor = User.objects.get(pk=data["editors"][draft.directorate_id])
    head = User.objects.get(pk=data["heads"][draft.directorate_id])
    editor_client, head_client = _client(editor), _client(head)
    api = Client(headers={"authorization": f"Token {_token(office)}"})
    editor_api = Client(headers={"authorization": f"Token {_token(editor)}"})
    report_t, unit_t, outcome_t, deliverable_t = _t(Report), _t(Directorate), _t(Outcome), _t(Deliverable)
    objective_t, milestone_t, figure_t = _t(Objective), _t(Milestone), _t(Figure)

    measures = [
        Measure(
            "cycle dashboard page, office (100 units a page)",
            _get(office_client, f"/cycles/{year}/"),
            floor=floor(
                f"SELECT u.code, u.name_fr, u.kind, r.id, r.state, r.first_submitted_at, r.submitted_late "
                f"FROM {unit_t} u LEFT JOIN {report_t} r ON r.directorate_id = u.id AND r.cycle_id = %s "
                f"WHERE u.is_active ORDER BY u.path LIMIT 100",
                [cycle.pk],
            ),
        ),
        Measure(
            "report list page, office (100 a page)",
            _get(office_client, f"/reports/?year={year}"),
            floor=floor(
                f"SELECT r.id, r.state, r.updated_at, u.code, u.name_fr FROM {report_t} r "
                f"JOIN {unit_t} u ON u.id = r.directorate_id WHERE r.cycle_id = %s ORDER BY u.path "
                f"LIMIT 100",
                [cycle.pk],
            ),
        ),
        Measure(
            "report page, editor",
            _get(editor_client, f"/reports/{draft.pk}/"),
            floor=floor(
                f"SELECT o.id, o.status, o.percent_done, o.comment, o.evidence, d.title "
                f"FROM {outcome_t} o JOIN {deliverable_t} d ON d.id = o.deliverable_id "
                f"WHERE o.report_id = %s ORDER BY d.due_date, d.id",
                [draft.pk],
            ),
        ),
    ]
    for size in (PAGE, 500):
        measures.append(
            Measure(
                f"reports API list, office ({size} reports)",
                _get(api, f"/api/v1/reports/?year={year}&page_size={size}"),
                floor=floor(
                    f"SELECT r.id, r.state, r.summary, r.version, r.submitted_at, r.updated_at, u.code, "
                    f"o.deliverable_id, d.title, o.status, o.percent_done, o.comment, o.evidence "
                    f"FROM (SELECT r.* FROM {report_t} r JOIN {unit_t} u0 ON u0.id = r.directorate_id "
                    f"WHERE r.cycle_id = %s ORDER BY u0.path LIMIT {size}) r "
                    f"JOIN {unit_t} u ON u.id = r.directorate_id "
                    f"LEFT JOIN {outcome_t} o ON o.report_id = r.id "
                    f"LEFT JOIN {deliverable_t} d ON d.id = o.deliverable_id",
                    [cycle.pk],
                ),
            )
        )
    outcomes = list(Outcome.objects.filter(report=draft).values_list("deliverable_id", flat=True))
    statuses = ["done", "not_done"]
    # The version read (optimistic concurrency, else 428); each run is rolled back, so it stays the same.
    patch_body = {
        "version": Report.objects.get(pk=draft.pk).version,
        "summary": "Bilan de l'année",
        "outcomes": [{"deliverable": d, "status": statuses[i % 2], "comment": "Fait"} for i, d in enumerate(outcomes)],
    }
    measures.append(
        Measure(
            "report PATCH API, editor (every outcome changed)",
            lambda: _ok(editor_api.patch(f"/api/v1/reports/{draft.pk}/", patch_body, content_type="application/json")),
            write=True,
        )
    )
    measures += [
        Measure(
            "national roadmap page, office",
            _get(office_client, f"/roadmap/{roadmap.year}/"),
            floor=floor(
                f"SELECT o.id, o.ref, o.title, o.target, o.source_kind, u.code FROM {objective_t} o "
                f"JOIN {unit_t} u ON u.id = o.owner_id WHERE o.roadmap_id = %s AND o.state = 'active' "
                f"ORDER BY u.path, o.ref LIMIT 50",
                [roadmap.pk],
            ),
        ),
        Measure(
            "unit roadmap page, head",
            _get(head_client, f"/roadmap/{roadmap.year}/"),
            floor=floor(
                f"SELECT o.id, o.ref, o.title, o.target, o.source_kind, u.code FROM {objective_t} o "
                f"JOIN {unit_t} u ON u.id = o.owner_id WHERE o.roadmap_id = %s AND o.owner_id = %s "
                f"AND o.state = 'active' ORDER BY o.ref LIMIT 50",
                [roadmap.pk, draft.directorate_id],
            ),
        ),
        Measure(
            "objectives API list, office (page 1)",
            _get(api, f"/api/v1/objectives/?year={roadmap.year}"),
            floor=floor(
                f"SELECT o.id, o.ref, o.title, o.description, o.target, o.state, u.code, m.id, m.title, "
                f"m.due_date, m.target_value FROM (SELECT o.* FROM {objective_t} o JOIN {unit_t} u0 "
                f"ON u0.id = o.owner_id WHERE o.roadmap_id = %s AND o.state = 'active' "
                f"ORDER BY u0.path, o.ref LIMIT {PAGE}) o JOIN {unit_t} u ON u.id = o.owner_id "
                f"LEFT JOIN {milestone_t} m ON m.objective_id = o.id",
                [roadmap.pk],
            ),
        ),
        Measure(
            "objectives API list, office (status=late)",
            _get(api, f"/api/v1/objectives/?year={roadmap.year}&status=late"),
        ),
    ]
    indicator = Indicator.objects.filter(national_only=False, numerator__isnull=True).order_by("position").first()
    measures += [
        Measure(
            "figures dashboard page, office",
            _get(office_client, f"/figures/?indicator={indicator.code}"),
            floor=floor(
                f"SELECT year, SUM(value) FROM {figure_t} WHERE indicator_id = %s GROUP BY year", [indicator.pk]
            ),
        ),
        Measure(
            f"bilan page {last}, office",
            _get(office_client, f"/bilan/{last}/"),
            floor=floor(
                f"SELECT indicator_id, year, SUM(value) FROM {figure_t} WHERE year IN (%s, %s) "
                f"GROUP BY indicator_id, year",
                [last, last - 1],
            ),
        ),
        _compile_measure(data),
        _reminders_measure(),
        _import_measure(data),
        _move_measure(),
    ]
    return measures


def _ok(response):
    assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    return response


def _token(user):
    from knox.models import AuthToken

    return AuthToken.objects.create(user)[1]


def _compile_measure(data):
    """Compile the roadmap from last year's review again: the approved one is removed first (not timed)."""
    from roadmap import services
    from roadmap.models import Milestone, Objective, ProgressUpdate, Roadmap, RoadmapEvent, RoadmapVersion

    office, cycle = data["office"], data["last_cycle"]

    def prepare():
        # Raw deletes (bench only): QuerySet.delete() would write a history row per object, for minutes.
        roadmap = Roadmap.objects.get(cycle=cycle)
        Objective.objects.filter(roadmap=roadmap).update(merged_into=None)
        for qs in (
            ProgressUpdate.objects.filter(milestone__objective__roadmap=roadmap),
            Milestone.objects.filter(objective__roadmap=roadmap),
            Objective.objects.filter(roadmap=roadmap),
            RoadmapVersion.objects.filter(roadmap=roadmap),
            RoadmapEvent.objects.filter(roadmap=roadmap),
            Roadmap.objects.filter(pk=roadmap.pk),
        ):
            qs._raw_delete(qs.db)

    return Measure(
        "roadmap compile, service (~27 objectives per unit)",
        lambda: services.roadmap_compile(actor=office, cycle=cycle),
        prepare=prepare,
        write=True,
        runs=3,
    )


def _reminders_measure():
    from notifications import services
    from notifications.models import Delivery

    return Measure(
        "reminders due-check (every kind, milestones overdue included)",
        services.reminders_compute_due,
        prepare=lambda: Delivery.objects.all()._raw_delete("default"),
        write=True,
        runs=3,
    )


def _import_measure(data):
    """A 10,000-row deliverables file for next year over 200 units (50 at the small size): preview + confirm."""
    from bench.import_comparison import record_job
    from transfers import services
    from transfers.models import ImportJob

    office = data["office"]
    units = [u for u in data["units"] if u.code.count("-") == 2][: 200 if len(data["units"]) > 300 else 50]
    year = data["cycle"].year + 1
    content = _deliverables_xlsx(units, year, 10_000)

    def run():
        job = record_job("deliverables", office, content)
        job = services.import_preview(job=job)
        assert job.state == ImportJob.State.PREVIEW and job.error_count == 0, (job.message, job.row_errors[:2])
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.APPLYING)
        job.refresh_from_db()
        assert services.import_apply(job=job).state == ImportJob.State.APPLIED

    return Measure("deliverables import, 10,000 rows, 50 → 200 units (preview + confirm)", run, write=True, runs=3)


def _deliverables_xlsx(units, year, rows):
    import openpyxl

    from transfers import kinds

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(kinds.get("deliverables").label)
    sheet.append(kinds.get("deliverables").headers())
    for i in range(rows):
        unit = units[i % len(units)]
        sheet.append(
            [
                unit.code,
                year,
                f"Livrable n° {i} de {unit.code}",
                "Description",
                "operations",
                i % 40 + 1,
                "unités",
                None,
                datetime.date(year, 1 + i % 12, 28),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _move_measure():
    from directorates import services

    root = User.objects.filter(is_superuser=True).first() or User.objects.create(
        username="bench-admin", is_superuser=True, is_staff=True
    )
    regions = list(
        Directorate.objects.filter(parent__code="DGSN", kind=Directorate.Kind.SECURITY_PREFECTURE).order_by("code")[:2]
    )
    region, target = regions

    def run():
        moving = Directorate.objects.get(pk=region.pk)
        moving.parent = target
        services.directorate_save(actor=root, directorate=moving)

    return Measure("moving a region (1/12 of the units) in the tree", run, write=True)
