"""Saving a report costs a fixed number of queries however many outcomes it has, and writes only what changed."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.models import Achievement, Outcome, ReportConstraint
from tests.factories import DeliverableFactory


def _report(cycle, bob, unit_a, n):
    DeliverableFactory.create_batch(n, directorate=unit_a, year=cycle.year)
    return services.report_start(actor=bob, cycle=cycle, directorate=unit_a)


def _body(report, status, version):
    return {
        "version": version,
        "summary": f"Bilan {status}",
        "outcomes": [
            {"deliverable": o.deliverable_id, "status": status, "comment": "ok"} for o in report.outcomes.all()
        ],
        "achievements": [{"title": f"Réalisation {i}"} for i in range(3)],
        "constraints": [{"category": "budget", "description": f"Contrainte {i}"} for i in range(3)],
    }


def _patch_queries(api, report, status):
    report.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        response = api.patch(f"/api/v1/reports/{report.pk}/", _body(report, status, report.version), format="json")
    assert response.status_code == 200, response.json()
    return len(ctx)


def test_report_patch_query_count_is_fixed(api, cycle, alice, bob, unit_a, django_assert_num_queries):
    """5 then 25 outcomes, every one changed, with achievements and constraints replaced: same count."""
    api.force_authenticate(bob)
    report = _report(cycle, bob, unit_a, 5)
    _patch_queries(api, report, "done")
    count = _patch_queries(api, report, "not_done")
    DeliverableFactory.create_batch(20, directorate=unit_a, year=cycle.year)
    services.report_start(actor=bob, cycle=cycle, directorate=unit_a)  # adds the 20 new outcomes
    _patch_queries(api, report, "done")
    report.refresh_from_db()
    with django_assert_num_queries(count):
        api.patch(f"/api/v1/reports/{report.pk}/", _body(report, "not_done", report.version), format="json")
    assert Outcome.objects.filter(report=report, status="not_done").count() == 25


def test_saving_unchanged_outcomes_writes_no_history(cycle, bob, unit_a):
    report = _report(cycle, bob, unit_a, 4)
    outcomes = {o.deliverable_id: {"status": "done"} for o in report.outcomes.all()}
    services.report_update(actor=bob, report=report, outcomes=outcomes)
    before = Outcome.history.filter(report_id=report.pk).count()
    first = report.outcomes.first()
    outcomes[first.deliverable_id] = {"status": "partial", "percent_done": 40}
    services.report_update(actor=bob, report=report, outcomes=outcomes)
    rows = Outcome.history.filter(report_id=report.pk)
    assert rows.count() == before + 1  # only the outcome that changed
    changed = rows.latest("history_id")
    assert (changed.id, changed.status, changed.percent_done, changed.history_type, changed.history_user) == (
        first.pk,
        "partial",
        40,
        "~",
        bob,
    )


def test_children_are_written_in_bulk_with_their_history(cycle, bob, unit_a):
    report = _report(cycle, bob, unit_a, 1)
    services.report_update(
        actor=bob,
        report=report,
        achievements=[{"title": "a"}, {"title": "b"}],
        constraints=[{"category": "budget", "description": "c"}],
    )
    a, b = Achievement.objects.filter(report=report).order_by("id")
    c = ReportConstraint.objects.get(report=report)
    services.report_update(
        actor=bob, report=report, achievements=[{"id": a.pk, "title": "a"}, {"id": b.pk, "title": "b2"}], constraints=[]
    )
    assert list(Achievement.objects.filter(report=report).values_list("title", flat=True)) == ["a", "b2"]
    assert not ReportConstraint.objects.filter(report=report).exists()
    assert [h.history_type for h in Achievement.history.filter(id=a.pk)] == ["+"]  # unchanged: no new row
    assert sorted(h.history_type for h in Achievement.history.filter(id=b.pk)) == ["+", "~"]
    assert sorted(h.history_type for h in ReportConstraint.history.filter(id=c.pk)) == ["+", "-"]
    assert all(h.history_user == bob for h in ReportConstraint.history.filter(id=c.pk))
