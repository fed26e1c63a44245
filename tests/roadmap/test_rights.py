"""Rights per person (issue #15): each right, granted and not, through the service that needs it.

A person of the DG's office (organisation role set) holds no right by the role alone: every right is
granted per person, directly or through its group, and read by the app's permissions module.
"""

import datetime

import pytest

from core.errors import NotAllowed
from directorates import permissions as unit_permissions
from directorates import services as directorate_services
from directorates.models import Deliverable, User
from figures import permissions as figure_permissions
from figures import services as figure_services
from reviews import permissions as review_permissions
from reviews import services as review_services
from roadmap import permissions as roadmap_permissions
from roadmap import services as roadmap_services
from tests.factories import UserFactory


@pytest.fixture
def nora(db):
    """In the DG's office (sees every unit) but granted nothing yet."""
    return UserFactory(username="nora", org_role=User.OrgRole.REVIEWER)


def _review(actor, request):
    report = request.getfixturevalue("submitted_report")
    return review_services.report_return(actor=actor, report=report, comment="Compléter")


def _manage_cycles(actor, request):
    return review_services.cycle_open(
        actor=actor, year=2030, submission_deadline=datetime.date(2030, 12, 9), meeting_date=datetime.date(2030, 12, 22)
    )


def _manage_deliverables(actor, request):
    return directorate_services.deliverable_create(
        actor=actor,
        directorate=request.getfixturevalue("unit_b"),
        year=2031,
        title="Nouveau livrable",
        category=Deliverable.Category.OPERATIONS,
        due_date=datetime.date(2031, 6, 30),
    )


def _prepare_roadmap(actor, request):
    request.getfixturevalue("accepted_report")
    return roadmap_services.roadmap_compile(actor=actor, cycle=request.getfixturevalue("cycle"))


def _approve_roadmap(actor, request):
    draft = request.getfixturevalue("draft")
    roadmap_services.roadmap_propose(actor=request.getfixturevalue("olga"), roadmap=draft)
    draft.refresh_from_db()
    return roadmap_services.roadmap_approve(actor=actor, roadmap=draft)


def _prepare_bilan(actor, request):
    return figure_services.bilan_start(actor=actor, year=2022)


def _approve_bilan(actor, request):
    bilan = figure_services.bilan_start(actor=request.getfixturevalue("olga"), year=2022)
    return figure_services.bilan_approve(actor=actor, bilan=bilan)


RIGHTS = {
    review_permissions.REVIEW_REPORTS: _review,
    review_permissions.MANAGE_CYCLES: _manage_cycles,
    unit_permissions.MANAGE_DELIVERABLES: _manage_deliverables,
    roadmap_permissions.PREPARE_ROADMAP: _prepare_roadmap,
    roadmap_permissions.APPROVE_ROADMAP: _approve_roadmap,
    figure_permissions.PREPARE_BILAN: _prepare_bilan,
    figure_permissions.APPROVE_BILAN: _approve_bilan,
}
GROUPS = {
    **unit_permissions.GROUPS,
    **review_permissions.GROUPS,
    **roadmap_permissions.GROUPS,
    **figure_permissions.GROUPS,
}


@pytest.mark.parametrize("right", list(RIGHTS))
def test_without_the_right_the_action_is_refused(request, right, nora, frozen):
    with pytest.raises(NotAllowed):
        RIGHTS[right](nora, request)


@pytest.mark.parametrize("right", list(RIGHTS))
def test_the_right_through_its_group_allows_the_action(request, right, nora, frozen):
    unit_permissions.join(nora, GROUPS, right)
    assert nora.groups.get().name == GROUPS[right]
    RIGHTS[right](nora, request)


@pytest.mark.parametrize("right", list(RIGHTS))
def test_each_right_is_read_from_its_permissions_module(right, nora):
    assert not unit_permissions.has_right(nora, right)
    unit_permissions.grant(nora, right)
    assert unit_permissions.has_right(nora, right)
    assert nora.has_perm(right)  # the same Django permission the admin shows


def test_one_right_does_not_bring_another(nora):
    unit_permissions.join(nora, GROUPS, roadmap_permissions.PREPARE_ROADMAP)
    assert roadmap_permissions.can_prepare(nora)
    assert not roadmap_permissions.can_approve(nora)
    assert not review_permissions.can_review(nora)
    assert not figure_permissions.can_approve_bilan(nora)


def test_administrators_run_the_organisation_but_take_no_decision_without_the_right(root):
    assert review_permissions.can_manage_cycles(root)
    assert unit_permissions.can_manage_deliverables_anywhere(root)
    assert figure_permissions.can_edit_bilan(root)
    assert not review_permissions.can_review(root)
    assert not roadmap_permissions.can_prepare(root)
    assert not roadmap_permissions.can_approve(root)
    assert not figure_permissions.can_approve_bilan(root)


def test_rights_cost_one_query_per_request(nora, django_assert_num_queries):
    unit_permissions.join(nora, GROUPS, roadmap_permissions.APPROVE_ROADMAP)
    nora = User.objects.get(pk=nora.pk)
    with django_assert_num_queries(1):
        for right in RIGHTS:
            unit_permissions.has_right(nora, right)


BEFORE = [
    ("directorates", "0002_field_labels"),
    ("reviews", "0003_deadline_extensions"),
    ("roadmap", "0001_initial"),
    ("figures", "0003_public_edition"),
]


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_gives_former_roles_their_rights_and_is_reversible():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldUser = old.get_model("directorates", "User")
        OldUser.objects.create(username="former-reviewer", org_role="reviewer")
        OldUser.objects.create(username="former-approver", org_role="approver")
        OldUser.objects.create(username="former-head")

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        reviewer = User.objects.get(username="former-reviewer")
        approver = User.objects.get(username="former-approver")
        head = User.objects.get(username="former-head")
        # Reviewers keep reviewing and preparing; approvers keep approving (roadmap and bilan).
        assert set(reviewer.groups.values_list("name", flat=True)) == {
            GROUPS[r]
            for r in (
                review_permissions.REVIEW_REPORTS,
                review_permissions.MANAGE_CYCLES,
                unit_permissions.MANAGE_DELIVERABLES,
                roadmap_permissions.PREPARE_ROADMAP,
                figure_permissions.PREPARE_BILAN,
            )
        }
        assert set(approver.groups.values_list("name", flat=True)) == {
            GROUPS[roadmap_permissions.APPROVE_ROADMAP],
            GROUPS[figure_permissions.APPROVE_BILAN],
        }
        assert not head.groups.exists()
        assert review_permissions.can_review(reviewer) and roadmap_permissions.can_prepare(reviewer)
        assert not roadmap_permissions.can_approve(reviewer)
        assert roadmap_permissions.can_approve(approver) and figure_permissions.can_approve_bilan(approver)
        # The groups the code names are the ones the migrations created, each with its one right.
        from django.contrib.auth.models import Group

        for right, name in GROUPS.items():
            group = Group.objects.get(name=name)
            assert [f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()] == [right]

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # reversible: the groups and the rights go away
        assert not Group.objects.filter(name__in=GROUPS.values()).exists()
        from django.contrib.auth.models import Permission

        assert not Permission.objects.filter(codename__in=[r.split(".")[1] for r in GROUPS]).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
