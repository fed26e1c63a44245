"""Fixtures for the roadmap: a 2022 cycle whose unit A report is accepted, with every kind of source."""

import datetime

import pytest
import time_machine

from reviews import services as review_services
from roadmap import services
from roadmap.models import Roadmap


@pytest.fixture
def accepted_report(report_a, alice, bob, olga, deliverables, frozen):
    """Unit A's 2022 report: one deliverable partly done, one not done; one constraint needs action."""
    d_partial, d_not_done = deliverables
    review_services.report_update(
        actor=bob,
        report=report_a,
        outcomes={
            d_partial.pk: {"status": "partial", "percent_done": 60, "comment": "Locaux livrés"},
            d_not_done.pk: {"status": "not_done", "comment": "Crédits non débloqués"},
        },
        constraints=[
            {
                "category": "equipment",
                "description": "Parc automobile vieillissant",
                "remedy": "Renouveler 20 véhicules",
                "needs_action": True,
            },
            {"category": "other", "description": "Météo défavorable", "remedy": "", "needs_action": False},
        ],
        achievements=[{"title": "Brigade cynophile créée", "description": ""}],
    )
    review_services.report_submit(actor=alice, report=report_a)
    return review_services.report_accept(actor=olga, report=report_a)


@pytest.fixture
def priorities(cycle, dino, unit_a, unit_b):
    p1 = services.priority_create(
        actor=dino,
        cycle=cycle,
        code="P1",
        title_fr="Lutter contre les fausses informations",
        title_ar="تحصين المواطنين ضد الأخبار الزائفة",
        title_en="Fight fake news",
        text_fr="Surveiller les contenus violents.",
        owners=[unit_a, unit_b],
    )
    p2 = services.priority_create(actor=dino, cycle=cycle, code="P2", title_fr="Priorité sans porteur")
    return [p1, p2]


@pytest.fixture
def draft(accepted_report, priorities, olga, cycle):
    roadmap, _ = services.roadmap_compile(actor=olga, cycle=cycle)
    return roadmap


@pytest.fixture
def in_2023():
    with time_machine.travel("2023-01-10 10:00 +01:00", tick=False) as traveller:
        yield traveller


def add_milestones(objective, olga, items):
    return services.milestones_set(actor=olga, objective=objective, milestones=items)


@pytest.fixture
def approved(draft, olga, dino, charlie):
    """The 2023 roadmap, approved, each objective with a Q2 and a Q4 milestone."""
    for objective in draft.objectives.all():
        add_milestones(
            objective,
            olga,
            [
                {"title": "Phase 1", "quarter": 2, "target_value": 50},
                {"title": "Phase 2", "quarter": 4, "target_value": 100},
            ],
        )
    services.roadmap_propose(actor=olga, roadmap=draft)
    return services.roadmap_approve(actor=dino, roadmap=Roadmap.objects.get(pk=draft.pk))


def day(text):
    return datetime.date.fromisoformat(text)
