import datetime

import pytest

from directorates.models import Deliverable
from transfers.models import ImportJob

from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload

pytestmark = pytest.mark.django_db


def test_preview_counts_new_rows_and_saves_nothing(start, alice, unit_a):
    rows = [deliverable_row(title=f"Livrable {i}") for i in range(3)]
    job = start(alice, "deliverables", upload(DELIVERABLE_HEADERS, rows))
    assert job.state == ImportJob.State.PREVIEW
    assert job.counts == {"total": 3, "new": 3, "update": 0, "skip": 0, "invalid": 0, "error": 0}
    assert job.error_count == 0
    assert not Deliverable.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_confirm_creates_rows_with_history(import_deliverables, alice, unit_a, fmt):
    rows = [deliverable_row(title="Brigade", target_quantity="2,5"), deliverable_row(title="PV", category="digital")]
    job = import_deliverables(alice, rows, fmt=fmt)
    assert job.state == ImportJob.State.APPLIED
    assert job.counts["new"] == 2
    brigade = Deliverable.objects.get(title="Brigade")
    assert brigade.directorate == unit_a
    assert str(brigade.target_quantity) == "2.50"
    assert brigade.due_date == datetime.date(2022, 12, 31)
    assert brigade.origin == Deliverable.Origin.IMPORTED
    history = Deliverable.history.filter(history_change_reason=job.history_reason)
    assert history.count() == 2
    assert {h.history_user for h in history} == {alice}


def test_reimporting_the_same_file_changes_nothing(import_deliverables, start, alice, unit_a):
    rows = [deliverable_row(title=f"Livrable {i}") for i in range(3)]
    import_deliverables(alice, rows)
    history_before = Deliverable.history.count()
    again = start(alice, "deliverables", upload(DELIVERABLE_HEADERS, rows))
    assert again.counts["skip"] == 3 and again.counts["new"] == 0 and again.counts["update"] == 0
    assert not again.can_confirm
    assert Deliverable.history.count() == history_before


def test_a_changed_row_is_updated_with_a_history_row(import_deliverables, alice, unit_a):
    import_deliverables(alice, [deliverable_row(title="A", target_quantity=1)])
    job = import_deliverables(alice, [deliverable_row(title="A", target_quantity=9)])
    assert job.counts["update"] == 1
    assert Deliverable.objects.get(title="A").target_quantity == 9
    assert Deliverable.history.filter(history_change_reason=job.history_reason, history_type="~").count() == 1


def test_row_errors_name_row_column_value_and_problem(start, alice, unit_a):
    rows = [
        deliverable_row(title="ok"),
        deliverable_row(code="NOPE", title="unknown unit"),
        deliverable_row(title="bad number", target_quantity="beaucoup"),
        deliverable_row(title="ok"),
        deliverable_row(title="outside the cycle", due_date="2023-03-01"),
        deliverable_row(title="bad category", category="magic"),
        deliverable_row(title="bad date", due_date="someday"),
    ]
    job = start(alice, "deliverables", upload(DELIVERABLE_HEADERS, rows))
    errors = {(e["row"], e["column"]): e for e in job.row_errors}
    assert errors[(3, "Unit code")]["value"] == "NOPE"
    assert "Unknown unit code" in errors[(3, "Unit code")]["message"]
    assert "not a number" in errors[(4, "Target quantity")]["message"]
    assert errors[(4, "Target quantity")]["value"] == "beaucoup"
    assert "row 2" in errors[(5, "")]["message"]  # duplicate of row 2
    assert "2022" in errors[(6, "Due date")]["message"]
    assert "magic" in errors[(7, "Category")]["message"]
    assert "not a date" in errors[(8, "Due date")]["message"]
    assert job.counts["invalid"] == 6
    assert not job.can_confirm


def test_an_error_in_the_last_row_saves_nothing(start, confirm, alice, unit_a):
    from transfers import services

    last = deliverable_row(title="bad", year="x", due_date="2022-12-31")
    rows = [deliverable_row(title=f"L{i}") for i in range(50)] + [last]
    job = start(alice, "deliverables", upload(DELIVERABLE_HEADERS, rows))
    assert job.error_count == 1 and job.row_errors[0]["row"] == 52
    with pytest.raises(services.ValidationFailed):
        services.import_confirm(actor=alice, job=job)
    assert not Deliverable.objects.exists()


def test_apply_revalidates_and_saves_nothing_if_a_row_became_invalid(
    start, confirm, alice, unit_a, cycle, bob, frozen, django_capture_on_commit_callbacks
):
    from reviews import services as review_services
    from tests.conftest import fill

    rows = [deliverable_row(title="new one")]
    job = start(alice, "deliverables", upload(DELIVERABLE_HEADERS, rows))
    assert job.can_confirm
    # Meanwhile the unit's 2022 report is submitted: its cahier des charges is frozen.
    report = review_services.report_start(actor=bob, cycle=cycle, directorate=unit_a)
    review_services.report_submit(actor=alice, report=fill(report, bob))
    job = confirm(alice, job)
    assert job.state == ImportJob.State.FAILED
    assert "submitted" in job.row_errors[0]["message"]
    assert not Deliverable.objects.filter(title="new one").exists()


def test_editor_may_import_only_their_own_unit_and_year(start, bob, unit_a, unit_b):
    rows = [
        deliverable_row(title="mine"),
        deliverable_row(code="WS-B", title="theirs"),
        deliverable_row(title="next year", year=2023),
    ]
    job = start(bob, "deliverables", upload(DELIVERABLE_HEADERS, rows), year=2022)
    messages = {e["row"]: e["message"] for e in job.row_errors}
    assert set(messages) == {3, 4}
    assert "WS-B" in messages[3]
    assert "2022" in messages[4]


def test_editor_must_choose_a_year(bob, unit_a):
    from core.errors import ValidationFailed
    from transfers import services

    with pytest.raises(ValidationFailed):
        services.import_start(
            actor=bob, kind_key="deliverables", uploaded_file=upload(DELIVERABLE_HEADERS, [deliverable_row()])
        )


def test_viewer_and_outsider_may_not_import_deliverables(victor, oscar):
    from core.errors import NotAllowed
    from transfers import services

    for user in (victor, oscar):
        with pytest.raises(NotAllowed):
            services.import_start(
                actor=user,
                kind_key="deliverables",
                year=2022,
                uploaded_file=upload(DELIVERABLE_HEADERS, [deliverable_row()]),
            )


def test_dg_office_may_import_into_any_unit(import_deliverables, olga, unit_a, unit_b):
    job = import_deliverables(olga, [deliverable_row(title="a"), deliverable_row(code="WS-B", title="b")])
    assert job.state == ImportJob.State.APPLIED and job.counts["new"] == 2


def test_frozen_cahier_des_charges_is_refused_once_per_unit_and_year(
    start, submitted_report, olga, django_assert_max_num_queries
):
    rows = [deliverable_row(title=f"late {i}") for i in range(20)]
    job = start(olga, "deliverables", upload(DELIVERABLE_HEADERS, rows))
    assert job.error_count == 20
    assert "submitted" in job.row_errors[0]["message"]


def test_headers_in_another_language_and_extra_columns_are_accepted(import_deliverables, start, alice, unit_a):
    from django.utils import translation

    from transfers import kinds

    with translation.override("en"):
        headers = [*kinds.get("deliverables").headers(), "Notes"]
    rows = [[*deliverable_row(title="x"), "free text"]]
    job = start(alice, "deliverables", upload(headers, rows))
    assert job.counts["new"] == 1, job.row_errors


def test_preview_runs_a_constant_number_of_queries(start, alice, unit_a, django_assert_max_num_queries):
    from transfers import services

    small = upload(DELIVERABLE_HEADERS, [deliverable_row(title=f"s{i}") for i in range(5)])
    big = upload(DELIVERABLE_HEADERS, [deliverable_row(title=f"b{i}") for i in range(300)])
    counts = []
    for uploaded in (small, big):
        job = start(alice, "deliverables", uploaded)
        job.state = ImportJob.State.PENDING
        job.save()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            services.import_preview(job=job)
        counts.append(len(ctx))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("who", ["alice", "olga"])
def test_an_import_cannot_change_a_deliverable_of_the_approved_roadmap(start, who, request, unit_a):
    from tests.factories import DeliverableFactory

    DeliverableFactory(
        directorate=unit_a,
        year=2022,
        title="Brigade",
        category="operations",
        target_quantity=3,
        target_unit="équipes",
        due_date=datetime.date(2022, 12, 31),
        origin=Deliverable.Origin.ROADMAP,
        origin_reference="2022-SP-A-01",
    )
    job = start(
        request.getfixturevalue(who),
        "deliverables",
        upload(DELIVERABLE_HEADERS, [deliverable_row(title="Brigade", target_quantity=9)]),
    )
    assert job.counts["invalid"] + job.counts["error"] == 1
    assert "roadmap" in str(job.row_errors)
    assert Deliverable.objects.get(title="Brigade").target_quantity == 3
    unchanged = start(
        request.getfixturevalue(who), "deliverables", upload(DELIVERABLE_HEADERS, [deliverable_row(title="Brigade")])
    )
    assert unchanged.counts["skip"] == 1


def test_preview_query_count_does_not_grow_with_the_units_in_the_file(
    start, olga, unit_a, cycle, django_assert_num_queries
):
    """The guard (a submitted report freezes the cahier des charges) runs once for every unit and year."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews import services as review_services
    from tests.factories import DirectorateFactory
    from transfers import services

    units = [DirectorateFactory(code=f"IMP-{i:02d}") for i in range(20)]
    for unit in units[:3]:  # some reports started: the guard has rows to read
        review_services.report_start(actor=_editor(unit), cycle=cycle, directorate=unit)
    counts = []
    for n in (5, 20):
        rows = [deliverable_row(code=u.code, title=f"L{i}") for u in units[:n] for i in range(2)]
        job = start(olga, "deliverables", upload(DELIVERABLE_HEADERS, rows))
        assert job.counts["new"] == 2 * n, job.row_errors[:2]
        job.state = ImportJob.State.PENDING
        job.save()
        with CaptureQueriesContext(connection) as ctx:
            services.import_preview(job=job)
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def _editor(unit):
    from directorates.models import Membership, User

    user = User.objects.create(username=f"ed-{unit.code}")
    Membership.objects.create(user=user, directorate=unit, role=Membership.Role.EDITOR)
    return user
