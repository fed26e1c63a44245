"""Every roadmap transition, allowed and refused per role; version freezing; the hand-over."""

import pytest

from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from directorates.models import Deliverable
from roadmap import services
from roadmap.models import Objective, Roadmap, RoadmapEvent, RoadmapState, RoadmapVersion

# opal: a member of the DG's office who also holds the roadmap approval right.
ROLES = ["alice", "bob", "victor", "charlie", "rita", "olga", "opal", "dino", "oscar", "root"]


def fresh(roadmap):
    return Roadmap.objects.get(pk=roadmap.pk)


@pytest.fixture
def proposed(draft, olga):
    return services.roadmap_propose(actor=olga, roadmap=draft)


@pytest.mark.parametrize("role", ROLES)
def test_only_holders_of_the_prepare_right_propose(request, role, draft):
    actor = request.getfixturevalue(role)
    if role in ("olga", "opal"):
        roadmap = services.roadmap_propose(actor=actor, roadmap=draft)
        assert roadmap.state == RoadmapState.PROPOSED
        event = RoadmapEvent.objects.get(roadmap=roadmap)
        assert (event.old_state, event.new_state, event.actor, event.version) == ("draft", "proposed", actor, 1)
        assert roadmap.history.filter(history_change_reason__contains="proposed").exists()
    else:
        with pytest.raises(NotAllowed):
            services.roadmap_propose(actor=actor, roadmap=draft)
        assert fresh(draft).state == RoadmapState.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_only_holders_of_the_approval_right_approve(request, role, proposed):
    """The DG and the office's members given the right; not the rest of the office, nor administrators."""
    actor = request.getfixturevalue(role)
    if role in ("dino", "opal"):
        roadmap = services.roadmap_approve(actor=actor, roadmap=proposed)
        assert (roadmap.state, roadmap.approved_version) == (RoadmapState.APPROVED, 1)
    else:
        with pytest.raises(NotAllowed):
            services.roadmap_approve(actor=actor, roadmap=proposed)
        assert fresh(proposed).state == RoadmapState.PROPOSED
        assert not RoadmapVersion.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_holders_of_the_approval_right_send_back(request, role, proposed):
    actor = request.getfixturevalue(role)
    if role in ("dino", "opal"):
        roadmap = services.roadmap_return(actor=actor, roadmap=proposed, comment="Préciser les cibles")
        assert roadmap.state == RoadmapState.DRAFT
        assert roadmap.events.last().comment == "Préciser les cibles"
    else:
        with pytest.raises(NotAllowed):
            services.roadmap_return(actor=actor, roadmap=proposed, comment="non")
        assert fresh(proposed).state == RoadmapState.PROPOSED


@pytest.mark.parametrize("role", ROLES)
def test_only_holders_of_the_prepare_right_start_a_new_version(request, role, approved):
    actor = request.getfixturevalue(role)
    if role in ("olga", "opal"):
        roadmap = services.roadmap_new_version(actor=actor, roadmap=approved)
        assert (roadmap.state, roadmap.version, roadmap.approved_version) == (RoadmapState.DRAFT, 2, 1)
    else:
        with pytest.raises(NotAllowed):
            services.roadmap_new_version(actor=actor, roadmap=approved)
        assert (fresh(approved).state, fresh(approved).version) == (RoadmapState.APPROVED, 1)


def test_starting_a_new_version_of_a_draft_is_refused(draft, olga):
    with pytest.raises(InvalidTransition):
        services.roadmap_new_version(actor=olga, roadmap=draft)


def test_sending_back_needs_a_comment(proposed, dino):
    with pytest.raises(ValidationFailed):
        services.roadmap_return(actor=dino, roadmap=proposed, comment="  ")


def test_approving_a_draft_is_refused(draft, dino):
    with pytest.raises(InvalidTransition):
        services.roadmap_approve(actor=dino, roadmap=draft)


def test_sending_back_a_draft_or_an_approved_roadmap_is_refused(draft, approved, dino):
    with pytest.raises(InvalidTransition):
        services.roadmap_return(actor=dino, roadmap=approved, comment="x")


def test_proposing_twice_is_refused(proposed, olga):
    with pytest.raises(InvalidTransition):
        services.roadmap_propose(actor=olga, roadmap=proposed)


def test_a_stale_copy_cannot_move_the_roadmap(draft, olga, dino):
    stale = fresh(draft)
    services.roadmap_propose(actor=olga, roadmap=draft)
    services.roadmap_approve(actor=dino, roadmap=fresh(draft))
    stale.state = RoadmapState.PROPOSED  # as a second tab would believe
    with pytest.raises(InvalidTransition):
        services.roadmap_approve(actor=dino, roadmap=stale)


def test_a_proposed_roadmap_cannot_be_edited(proposed, olga):
    objective = proposed.objectives.first()
    with pytest.raises(InvalidTransition):
        services.objective_update(actor=olga, objective=objective, title="Changé")


@pytest.mark.parametrize("role", ["alice", "charlie", "dino", "oscar"])
def test_only_the_dg_office_edits_objectives(request, role, draft):
    objective = draft.objectives.first()
    with pytest.raises(NotAllowed):
        services.objective_update(actor=request.getfixturevalue(role), objective=objective, title="Changé")


def test_approval_freezes_a_numbered_version(approved):
    version = RoadmapVersion.objects.get(roadmap=approved)
    assert version.number == 1
    refs = {o["ref"] for o in version.snapshot["objectives"]}
    assert refs == set(approved.objectives.values_list("ref", flat=True))
    assert all(len(o["milestones"]) == 2 for o in version.snapshot["objectives"])


def test_an_approved_roadmap_changes_only_in_a_new_version(approved, olga, dino, unit_b):
    objective = approved.objectives.order_by("ref").first()
    with pytest.raises(InvalidTransition):
        services.objective_update(actor=olga, objective=objective, title="Changé")
    with pytest.raises(NotAllowed):
        services.roadmap_new_version(actor=dino, roadmap=approved)
    roadmap = services.roadmap_new_version(actor=olga, roadmap=approved)
    assert (roadmap.state, roadmap.version, roadmap.approved_version) == (RoadmapState.DRAFT, 2, 1)
    objective = Objective.objects.get(pk=objective.pk)
    services.objective_update(actor=olga, objective=objective, title="Changé")
    services.objective_create(actor=olga, roadmap=roadmap, owner=unit_b, title="Projet ajouté en v2")
    services.roadmap_propose(actor=olga, roadmap=roadmap)
    roadmap = services.roadmap_approve(actor=dino, roadmap=fresh(roadmap))
    v1, v2 = RoadmapVersion.objects.filter(roadmap=roadmap).order_by("number")
    assert v1.snapshot["objectives"][0]["title"] != "Changé"  # the first version stays frozen
    diff = services.snapshot_diff(v1.snapshot, v2.snapshot)
    assert [o["title"] for o in diff["added"]] == ["Projet ajouté en v2"]
    assert diff["changed"][0]["ref"] == objective.ref
    assert diff["changed"][0]["changes"][0] == {
        "field": "title",
        "old": v1.snapshot["objectives"][0]["title"],
        "new": "Changé",
    }


def test_approval_hands_each_units_objectives_over_as_its_cahier_des_charges(approved, unit_a, unit_b):
    deliverables = Deliverable.objects.filter(year=2023, origin=Deliverable.Origin.ROADMAP)
    objectives = approved.objectives.filter(state=Objective.State.ACTIVE)
    assert deliverables.count() == objectives.count()
    for objective in objectives:
        d = deliverables.get(origin_reference=objective.ref)
        assert d.directorate_id == objective.owner_id
        assert d.due_date.isoformat() == "2023-12-31"  # the last milestone: end of Q4
    assert deliverables.filter(directorate=unit_b).count() == 1  # its share of priority P1
    assert Deliverable.history.filter(year=2023, history_type="+").count() == deliverables.count()


def test_a_new_version_updates_the_cahier_des_charges_without_duplicates(approved, olga, dino):
    roadmap = services.roadmap_new_version(actor=olga, roadmap=approved)
    first, second = roadmap.objectives.filter(is_draft=False).order_by("ref")[:2]  # edited through their copies
    services.objective_update(actor=olga, objective=first, title="Titre v2")
    services.objective_drop(actor=olga, objective=second, reason="Abandonné")
    services.roadmap_propose(actor=olga, roadmap=roadmap)
    services.roadmap_approve(actor=dino, roadmap=fresh(roadmap))
    deliverables = Deliverable.objects.filter(year=2023, origin=Deliverable.Origin.ROADMAP)
    assert deliverables.get(origin_reference=first.ref).title == "Titre v2"
    assert not deliverables.filter(origin_reference=second.ref).exists()
    assert not roadmap.objectives.filter(is_draft=True).exists()  # the copies are gone once approved
    assert deliverables.count() == roadmap.objectives.filter(state=Objective.State.ACTIVE).count()


def test_dropping_needs_a_reason(draft, olga):
    with pytest.raises(ValidationFailed):
        services.objective_drop(actor=olga, objective=draft.objectives.first(), reason="")


def test_milestone_due_dates_must_fall_in_the_roadmap_year(draft, olga):
    import datetime

    with pytest.raises(ValidationFailed) as error:
        services.milestones_set(
            actor=olga,
            objective=draft.objectives.first(),
            milestones=[{"title": "x", "due_date": datetime.date(2024, 1, 1), "target_value": 1}],
        )
    assert "due_date" in error.value.errors["milestones"]["0"]


def test_a_new_version_leaves_a_submitted_reports_cahier_des_charges_alone(approved, olga, dino, alice, bob, unit_a):
    from reviews import services as review_services
    from tests.conftest import fill
    from tests.factories import CycleFactory

    cycle_2023 = CycleFactory(year=2023)
    report = review_services.report_start(actor=bob, cycle=cycle_2023, directorate=unit_a)
    fill(report, bob)
    review_services.report_submit(actor=alice, report=report)
    roadmap = services.roadmap_new_version(actor=olga, roadmap=approved)
    objective = roadmap.objectives.filter(owner=unit_a).order_by("ref").first()
    before = Deliverable.objects.get(year=2023, origin_reference=objective.ref).title
    services.objective_update(actor=olga, objective=objective, title="Changé après la soumission")
    services.roadmap_propose(actor=olga, roadmap=roadmap)
    services.roadmap_approve(actor=dino, roadmap=fresh(roadmap))
    assert Deliverable.objects.get(year=2023, origin_reference=objective.ref).title == before


def test_a_new_version_adds_outcome_rows_to_the_open_report_of_next_year(approved, olga, dino, charlie, unit_b):
    from reviews import services as review_services
    from reviews.models import Outcome
    from tests.factories import CycleFactory

    report = review_services.report_start(actor=charlie, cycle=CycleFactory(year=2023), directorate=unit_b)
    before = Outcome.objects.filter(report=report).count()
    roadmap = services.roadmap_new_version(actor=olga, roadmap=approved)
    objective = services.objective_create(actor=olga, roadmap=roadmap, owner=unit_b, title="Projet ajouté en v2")
    services.milestones_set(
        actor=olga, objective=objective, milestones=[{"title": "Phase 1", "quarter": 4, "target_value": 100}]
    )
    services.roadmap_propose(actor=olga, roadmap=roadmap)
    services.roadmap_approve(actor=dino, roadmap=fresh(roadmap))
    titles = set(Outcome.objects.filter(report=report).values_list("deliverable__title", flat=True))
    assert "Projet ajouté en v2" in titles and len(titles) == before + 1


def test_changing_an_objectives_milestones_is_history(draft, olga):
    objective = draft.objectives.first()
    before = objective.history.count()
    services.milestones_set(
        actor=olga, objective=objective, milestones=[{"title": "Phase 1", "quarter": 2, "target_value": 50}]
    )
    assert objective.history.count() == before + 1
    assert objective.history.first().edited is True and objective.history.first().history_user == olga
