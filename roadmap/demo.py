"""Demo: the 22 December 2022 meeting, the DG's 2022 priorities (seeds/002) and the approved 2023 roadmap, tracked.

Runs after reviews/demo.py (the 2022 cycle, 10 accepted reports). Everything goes through the services,
as the DG's office (``dg.office``: prepares, proposes and approves the roadmap), the DG (``dg``: the
priorities) and the units' heads (``head.<code>``) would.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from directorates import permissions as unit_permissions
from directorates.demo_data import PRIORITIES_2022
from directorates.models import Deliverable, Directorate, User
from reviews.models import ReviewCycle
from roadmap import permissions, services
from roadmap.models import Objective, Roadmap, RoadmapEvent, RoadmapVersion

ABSENT = {"BNPJ"}  # one invited head excused, to show attendance


def _at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def load(stdout):
    office = User.objects.get(username="dg.office")
    dg = User.objects.get(username="dg")
    # The DG's office prepares, proposes and approves (the users' own words); the DG keeps the right.
    unit_permissions.join(office, permissions.GROUPS)
    unit_permissions.join(dg, permissions.GROUPS, permissions.APPROVE_ROADMAP)
    cycle = ReviewCycle.objects.get(year=2022)
    units = {u.code: u for u in Directorate.objects.all()}

    # 1. The meeting: agenda from the accepted reports, the central directorates first.
    meeting = services.meeting_build(
        actor=office, cycle=cycle, date=datetime.date(2022, 12, 22), place="Rabat — siège de la DGSN"
    )
    items = list(meeting.agenda.order_by("position"))
    for item in items:
        if item.directorate.code == "DSP":  # the public security directorate opens the meeting
            for _step in range(items.index(item)):
                services.agenda_move(actor=office, item=item, direction="up")
    services.attendance_record(
        actor=office,
        meeting=meeting,
        present_unit_ids=[
            a.directorate_id
            for a in meeting.attendance.select_related("directorate")
            if a.directorate.code not in ABSENT
        ],
    )

    # 2. The orientation speech's priorities.
    for row in PRIORITIES_2022:
        services.priority_create(
            actor=dg,
            cycle=cycle,
            owners=[units[c] for c in row["owners"] if c in units],
            **{k: row[k] for k in ("code", "title_fr", "title_ar", "title_en", "text_fr", "text_ar", "text_en")},
        )

    # 3. Compile the 2023 roadmap, then edit a little.
    roadmap, created = services.roadmap_compile(actor=office, cycle=cycle)
    objectives = list(roadmap.objectives.select_related("owner").order_by("ref"))
    constraint_objective = next((o for o in objectives if o.source_kind == Objective.Source.CONSTRAINT), None)
    if constraint_objective is not None and len(objectives) > 3:
        services.objective_drop(
            actor=office,
            objective=constraint_objective,
            reason="Pris en charge par le plan national d'équipement 2023-2025.",
        )
    services.objective_create(
        actor=office,
        roadmap=roadmap,
        owner=units["DSIC"],
        title="Déployer la plateforme du tiers de confiance",
        description="Nouveau projet arrêté lors de la réunion du 22 décembre 2022.",
        category="digital",
        target="12 administrations partenaires raccordées",
        target_quantity=Decimal(12),
        target_unit="administrations",
        priority=roadmap.cycle.priorities.get(code="P1"),
    )
    for objective in roadmap.objectives.filter(state=Objective.State.ACTIVE).order_by("ref"):
        if not objective.target:
            objective.target = "100 % des actions prévues réalisées"
        services.objective_update(
            actor=office,
            objective=objective,
            target=objective.target,
            milestones=[
                {"title": "Lancement et premiers résultats", "quarter": 2, "target_value": Decimal(50)},
                {"title": "Achèvement", "quarter": 4, "target_value": Decimal(100)},
            ],
        )

    # 4. Propose and approve (the office, holding both rights): the version is frozen, the units' cahiers
    # des charges for 2023 are created.
    services.roadmap_propose(actor=office, roadmap=roadmap, comment="Projet de feuille de route 2023.")
    roadmap = services.roadmap_approve(
        actor=office, roadmap=Roadmap.objects.get(pk=roadmap.pk), comment="Approuvée. Suivi trimestriel par le cabinet."
    )
    RoadmapEvent.objects.filter(roadmap=roadmap, new_state="proposed").update(
        created_at=_at(datetime.date(2022, 12, 28))
    )
    RoadmapEvent.objects.filter(roadmap=roadmap, new_state="approved").update(created_at=_at(datetime.date(2023, 1, 5)))
    RoadmapVersion.objects.filter(roadmap=roadmap).update(
        proposed_at=_at(datetime.date(2022, 12, 28)), approved_at=_at(datetime.date(2023, 1, 5))
    )

    # 5. Progress through 2023, recorded by each unit's head: some done, some slipping, some silent.
    plans = [
        [(0, 50, "2023-06-20"), (1, 100, "2023-12-15")],  # done
        [(0, 30, "2023-04-10")],  # slipped: late after June
        [(0, 55, "2023-06-25"), (1, 70, "2023-10-02")],  # first phase done, second late
        [],  # nothing recorded
    ]
    recorded = 0
    for index, objective in enumerate(
        roadmap.objectives.filter(state=Objective.State.ACTIVE).select_related("owner").order_by("ref")
    ):
        head = User.objects.filter(username=f"head.{objective.owner.code.lower()}").first()
        if head is None:
            continue
        milestones = list(objective.milestones.order_by("due_date"))
        for position, value, day in plans[index % len(plans)]:
            services.progress_record(
                actor=head,
                milestone=milestones[position],
                value=Decimal(value),
                recorded_on=datetime.date.fromisoformat(day),
                comment="Point d'avancement transmis au cabinet.",
                evidence="Rapport trimestriel de l'unité.",
            )
            recorded += 1
    handed_over = Deliverable.objects.filter(year=2023, origin=Deliverable.Origin.ROADMAP).count()
    stdout.write(
        f"  meeting of 22/12/2022 ({meeting.agenda.count()} units on the agenda), "
        f"{len(PRIORITIES_2022)} priorities, roadmap 2023 approved v{roadmap.version} "
        f"({created} objectives compiled, {handed_over} deliverables handed over, {recorded} progress updates)"
    )
