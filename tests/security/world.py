"""One small organisation with something of every kind for unit A and for unit B: the authorization matrix's
objects (tests/security/test_authz_matrix.py).

    WS-R (region, head rita)          WS-B (unit B, head charlie)
      └── SP-A (unit A, head alice, editor bob)
    olga: the DG's office · dino: the DG · root: administrator

2022: A's report accepted, B's report a draft; figures, attachments, deliveries and imports of both;
the 2022 meeting; a draft 2022 bilan. Roadmap 2023 approved (objectives of A and B with milestones),
roadmap 2024 a draft (objectives of A and B).
"""

import datetime
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directorates import permissions as unit_permissions
from directorates.models import Directorate, Membership, User
from figures import services as figure_services
from figures.models import Indicator
from notifications.models import Delivery
from reviews import services as review_services
from roadmap import services as roadmap_services
from tests.factories import (
    CycleFactory,
    DeliverableFactory,
    DirectorateFactory,
    MembershipFactory,
    UserFactory,
    dg_rights,
    office_user,
)
from transfers.models import ImportJob


def _dg():
    user = UserFactory(username="dino", org_role=User.OrgRole.APPROVER)
    unit_permissions.join(user, dg_rights())
    return user


PDF = b"%PDF-1.4\n%%EOF\n"


def _member(username, unit, role):
    return MembershipFactory(user=UserFactory(username=username), directorate=unit, role=role).user


def _delivery(user, cycle, unit):
    return Delivery.objects.create(
        kind="deadline_reminder",
        occasion=f"cycle:{cycle.pk}/unit:{unit.pk}/matrix",
        recipient=user,
        cycle=cycle,
        directorate=unit,
        state=Delivery.State.FAILED,
        context={
            "year": cycle.year,
            "days_left": 7,
            "unit": {"fr": unit.code, "ar": unit.code, "en": unit.code},
            "path": "/reports/",
        },
    )


def _import_job(user):
    job = ImportJob(
        kind="deliverables",
        created_by=user,
        created_at=timezone.now(),
        original_name="cahier.csv",
        file_format="csv",
        size=10,
        year=2022,
    )
    job.file.save("cahier.csv", ContentFile(b"title\nx\n"), save=False)
    job.save()
    return job


def build():
    region = DirectorateFactory(code="WS-R", kind=Directorate.Kind.SECURITY_PREFECTURE)
    unit_a = DirectorateFactory(code="SP-A", parent=region)
    unit_b = DirectorateFactory(code="WS-B", kind=Directorate.Kind.SECURITY_PREFECTURE)
    users = {
        "editor_a": _member("bob", unit_a, Membership.Role.EDITOR),
        "head_a": _member("alice", unit_a, Membership.Role.HEAD),
        "head_parent": _member("rita", region, Membership.Role.HEAD),
        "head_b": _member("charlie", unit_b, Membership.Role.HEAD),
        # The office's and the DG's rights are granted per person, as the data migration gives them.
        "office": office_user(username="olga"),
        "dg": _dg(),
        "admin": UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    bob, alice, charlie = users["editor_a"], users["head_a"], users["head_b"]
    olga, dino = users["office"], users["dg"]

    cycle = CycleFactory(year=2022)
    deliverables = {
        "A": DeliverableFactory(directorate=unit_a, title="Brigade anti-gang"),
        "B": DeliverableFactory(directorate=unit_b, title="Commissariat de quartier"),
    }
    DeliverableFactory(directorate=unit_a, title="Numériser les PV", category="digital")
    indicator = Indicator.objects.create(
        code="cases_handled", name_fr="Affaires", name_ar="قضايا", name_en="Cases", domain="crime", unit="count"
    )
    figures = {
        "A": figure_services.figure_set(
            actor=bob, directorate=unit_a, indicator="cases_handled", year=2022, value="10"
        ),
        "B": figure_services.figure_set(
            actor=charlie, directorate=unit_b, indicator="cases_handled", year=2022, value="20"
        ),
    }
    reports = {
        "A": review_services.report_start(actor=bob, cycle=cycle, directorate=unit_a),
        "B": review_services.report_start(actor=charlie, cycle=cycle, directorate=unit_b),
    }
    attachments = {}
    for key, actor in (("A", bob), ("B", charlie)):
        outcome = reports[key].outcomes.first()
        attachments[key] = review_services.attachment_add(
            actor=actor, outcome=outcome, uploaded_file=SimpleUploadedFile("preuve.pdf", PDF, "application/pdf")
        )
    report_a = reports["A"]
    review_services.report_update(
        actor=bob,
        report=report_a,
        outcomes={o.deliverable_id: {"status": "done"} for o in report_a.outcomes.all()},
        constraints=[
            {"category": "equipment", "description": "Véhicules", "remedy": "Renouveler", "needs_action": True}
        ],
    )
    review_services.report_submit(actor=alice, report=report_a)
    # returned once with a flagged item, answered, resubmitted: A's report carries a flag with its thread
    review_services.report_return(
        actor=olga,
        report=report_a,
        comment="Préciser",
        items=[{"kind": "constraint", "id": report_a.constraints.get().pk, "comment": "Chiffrer le besoin"}],
    )
    flag_a = report_a.review_items.get()
    review_services.review_item_comment(actor=alice, item=flag_a, text="Chiffré")
    review_services.report_submit(actor=alice, report=report_a)
    reports["A"] = review_services.report_accept(actor=olga, report=report_a)

    priority = roadmap_services.priority_create(
        actor=dino, cycle=cycle, code="P1", title_fr="Fausses nouvelles", owners=[unit_a, unit_b]
    )
    roadmap_services.meeting_build(actor=olga, cycle=cycle)
    approved, _created = roadmap_services.roadmap_compile(actor=olga, cycle=cycle)
    for objective in approved.objectives.all():
        roadmap_services.milestones_set(
            actor=olga, objective=objective, milestones=[{"title": "Phase 1", "quarter": 2, "target_value": 50}]
        )
    roadmap_services.roadmap_propose(actor=olga, roadmap=approved)
    approved.refresh_from_db()
    approved = roadmap_services.roadmap_approve(actor=dino, roadmap=approved)
    objectives = {
        key: approved.objectives.filter(owner=unit, state="active").order_by("ref").first()
        for key, unit in (("A", unit_a), ("B", unit_b))
    }

    cycle_2023 = CycleFactory(year=2023)
    draft, _created = roadmap_services.roadmap_compile(actor=olga, cycle=cycle_2023)
    draft_objectives = {
        key: roadmap_services.objective_create(
            actor=olga,
            roadmap=draft,
            owner=unit,
            title=f"Projet {key}",
            milestones=[{"title": "Étape", "quarter": 3, "target_value": 1}],
        )
        for key, unit in (("A", unit_a), ("B", unit_b))
    }
    bilan = figure_services.bilan_start(actor=olga, year=2022)

    return SimpleNamespace(
        users=users,
        units={"A": unit_a, "B": unit_b},
        region=region,
        cycle=cycle,
        reports=reports,
        deliverables=deliverables,
        attachments=attachments,
        figures=figures,
        indicator=indicator,
        priority=priority,
        approved=approved,
        draft=draft,
        objectives=objectives,
        draft_objectives=draft_objectives,
        milestones={key: o.milestones.first() for key, o in objectives.items()},
        draft_milestones={key: o.milestones.first() for key, o in draft_objectives.items()},
        deliveries={"A": _delivery(bob, cycle, unit_a), "B": _delivery(charlie, cycle, unit_b)},
        imports={"A": _import_job(bob), "B": _import_job(charlie)},
        bilan=bilan,
        flags={"A": flag_a},
        today=datetime.date(2022, 11, 15),
    )
