"""Compiling the draft roadmap: every source kind, and compiling again keeps the office's edits."""

import pytest

from core.errors import InvalidTransition, NotAllowed
from reviews.models import ReportConstraint
from roadmap import services
from roadmap.models import Objective, Roadmap, SourceKind
from tests.factories import DeliverableFactory
from tests.roadmap.conftest import add_milestones


def by_kind(roadmap):
    out = {}
    for o in roadmap.objectives.select_related("owner", "priority"):
        out.setdefault(o.source_kind, []).append(o)
    return out


def test_compiling_makes_the_next_years_draft(draft, cycle):
    assert draft.year == cycle.year + 1 == 2023
    assert draft.state == Roadmap.State.DRAFT
    assert draft.version == 1


def test_deliverables_not_done_or_partly_done_are_carried_over_with_what_was_achieved(draft, deliverables):
    carried = by_kind(draft)[SourceKind.CARRY_OVER]
    assert {o.source_deliverable_id for o in carried} == {d.pk for d in deliverables}
    partial = next(o for o in carried if o.source_deliverable_id == deliverables[0].pk)
    assert "60" in partial.achieved_so_far and "Locaux livrés" in partial.achieved_so_far
    assert partial.owner == deliverables[0].directorate
    assert partial.title == deliverables[0].title


def test_done_deliverables_are_not_carried_over(accepted_report, priorities, olga, cycle, deliverables):
    outcome = accepted_report.outcomes.get(deliverable=deliverables[1])
    outcome.status = "done"
    outcome.percent_done = 100
    outcome.save()
    roadmap, _ = services.roadmap_compile(actor=olga, cycle=cycle)
    carried = by_kind(roadmap)[SourceKind.CARRY_OVER]
    assert [o.source_deliverable_id for o in carried] == [deliverables[0].pk]


def test_only_constraints_needing_action_become_objectives(draft):
    from_constraints = by_kind(draft)[SourceKind.CONSTRAINT]
    assert len(from_constraints) == 1
    objective = from_constraints[0]
    assert objective.source_constraint.description == "Parc automobile vieillissant"
    assert objective.title == "Renouveler 20 véhicules"
    assert objective.category == "equipment"


def test_each_priority_becomes_an_objective_per_owning_unit(draft, priorities, unit_a, unit_b):
    from_priorities = by_kind(draft)[SourceKind.PRIORITY]
    assert {(o.priority.code, o.owner.code) for o in from_priorities} == {("P1", "SP-A"), ("P1", "WS-B")}


def test_reports_not_accepted_are_not_compiled(report_a, priorities, olga, cycle):
    roadmap, created = services.roadmap_compile(actor=olga, cycle=cycle)
    assert set(by_kind(roadmap)) == {SourceKind.PRIORITY}
    assert created == 2


def test_compiling_again_keeps_edits_drops_and_merges(draft, olga, cycle, unit_b):
    objectives = list(draft.objectives.order_by("ref"))
    edited, dropped, merged_into, merged = objectives[:4]
    services.objective_update(actor=olga, objective=edited, title="Titre revu", owner=unit_b, target="20 véhicules")
    add_milestones(edited, olga, [{"title": "T1", "quarter": 1, "target_value": 10}])
    services.objective_drop(actor=olga, objective=dropped, reason="Déjà couvert par le budget central")
    services.objective_merge(actor=olga, into=merged_into, others=[merged])
    new = services.objective_create(actor=olga, roadmap=draft, owner=unit_b, title="Nouveau projet")
    count = Objective.objects.count()

    _roadmap, created = services.roadmap_compile(actor=olga, cycle=cycle)

    assert created == 0
    assert Objective.objects.count() == count
    edited.refresh_from_db()
    assert (edited.title, edited.owner, edited.target) == ("Titre revu", unit_b, "20 véhicules")
    assert edited.milestones.count() == 1
    assert Objective.objects.get(pk=dropped.pk).state == Objective.State.DROPPED
    assert Objective.objects.get(pk=merged.pk).merged_into_id == merged_into.pk
    assert Objective.objects.filter(pk=new.pk).exists()


def test_compiling_again_adds_only_what_is_new(draft, olga, cycle, accepted_report):
    ReportConstraint.objects.create(
        report=accepted_report, category="budget", description="Budget insuffisant", needs_action=True
    )
    before = set(draft.objectives.values_list("ref", flat=True))
    _, created = services.roadmap_compile(actor=olga, cycle=cycle)
    assert created == 1
    added = draft.objectives.exclude(ref__in=before).get()
    assert added.source_kind == SourceKind.CONSTRAINT
    assert added.ref not in before


def test_compilation_writes_history_rows(draft):
    assert Objective.history.filter(history_type="+").count() == draft.objectives.count()


@pytest.mark.parametrize("role", ["alice", "bob", "charlie", "rita", "dino", "oscar", "root"])
def test_only_the_dg_office_compiles(request, role, accepted_report, cycle):
    with pytest.raises(NotAllowed):
        services.roadmap_compile(actor=request.getfixturevalue(role), cycle=cycle)
    assert not Roadmap.objects.exists()


def test_compiling_a_proposed_roadmap_is_refused(draft, olga, cycle):
    services.roadmap_propose(actor=olga, roadmap=draft)
    with pytest.raises(InvalidTransition):
        services.roadmap_compile(actor=olga, cycle=cycle)


def test_split_keeps_the_source_and_makes_new_objectives(draft, olga, cycle):
    objective = draft.objectives.filter(source_kind=SourceKind.CARRY_OVER).first()
    parts = services.objective_split(actor=olga, objective=objective, titles=["Volet A", "Volet B", "Volet C"])
    assert [p.title for p in parts] == ["Volet A", "Volet B", "Volet C"]
    assert all(p.source_deliverable_id == objective.source_deliverable_id for p in parts)
    _, created = services.roadmap_compile(actor=olga, cycle=cycle)
    assert created == 0


def _national(n_units, cycle, olga):
    from directorates.models import Membership
    from reviews import services as review_services
    from tests.factories import DirectorateFactory, UserFactory

    for _ in range(n_units):
        unit = DirectorateFactory()
        head = UserFactory()
        Membership.objects.create(user=head, directorate=unit, role=Membership.Role.HEAD)
        for _ in range(3):
            DeliverableFactory(directorate=unit)
        report = review_services.report_start(actor=head, cycle=cycle, directorate=unit)
        review_services.report_update(
            actor=head,
            report=report,
            outcomes={o.deliverable_id: {"status": "not_done"} for o in report.outcomes.all()},
            constraints=[{"category": "budget", "description": "x", "needs_action": True}],
        )
        review_services.report_submit(actor=head, report=report)
        review_services.report_accept(actor=olga, report=report)


def test_compilation_query_count_does_not_grow_with_units(django_assert_num_queries, cycle, olga, frozen):
    services.roadmap_compile(actor=olga, cycle=cycle)  # the roadmap row exists from now on
    for n in (2, 6):
        _national(n, cycle, olga)
        Objective.history.all().delete()
        Objective.objects.all().delete()
        # lock roadmap, existing keys, outcomes, constraints, priorities (+owners), insert, history,
        # compiled_at, the roadmap's own history row, and the savepoints of the atomic blocks
        with django_assert_num_queries(11):
            services.roadmap_compile(actor=olga, cycle=cycle)
    assert Objective.objects.count() == 8 * 4
