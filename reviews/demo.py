"""Demo 2022 cycle (meeting on 22 December 2022, seeds/000–002) with reports in every state."""

import datetime
import itertools

from django.utils import timezone

from directorates import permissions as unit_permissions
from directorates.demo_data import ACHIEVEMENTS_2022, CONSTRAINTS_2022
from directorates.models import Directorate, User
from reviews import permissions, services
from reviews.models import (
    DeadlineExtension,
    Outcome,
    Report,
    ReportEvent,
    ReviewCycle,
    ReviewItem,
    ReviewItemComment,
)

# Which units' reports end in which state. The rest have not started: late, as on a real dashboard.
PLAN = {
    "accepted": ["DSP", "DPJ", "DRG", "DSIC", "IRP", "WS-CASA", "WS-RABAT", "WS-FES", "SP-SALE", "BNPJ"],
    "submitted": ["DRH", "DEB", "WS-MARRAKECH", "WS-TANGER", "SR-TAZA", "ISF"],
    "returned": ["WS-AGADIR", "SP-SEFROU", "FM6"],
    "draft": ["WS-MEKNES", "WS-OUJDA", "PCSI", "SP-BERKANE"],
}
STATUSES = itertools.cycle(
    [Outcome.Status.DONE, Outcome.Status.DONE, Outcome.Status.PARTIAL, Outcome.Status.DONE, Outcome.Status.NOT_DONE]
)


def _fill(report, actor, complete=True):
    outcomes = {}
    for index, outcome in enumerate(report.outcomes.select_related("deliverable")):
        if not complete and index % 2:
            continue
        status = next(STATUSES)
        outcomes[outcome.deliverable_id] = {
            "status": status,
            "percent_done": 60 if status == Outcome.Status.PARTIAL else None,
            "comment": "Réalisé conformément au cahier des charges."
            if status == Outcome.Status.DONE
            else "Travaux engagés, achèvement reporté à l'exercice suivant."
            if status == Outcome.Status.PARTIAL
            else "Non réalisé faute de crédits ; reconduit.",
            "evidence": "Procès-verbal de réception et rapport d'activité." if status == Outcome.Status.DONE else "",
        }
    code = report.directorate.code
    services.report_update(
        actor=actor,
        report=report,
        outcomes=outcomes,
        summary=f"Bilan {report.cycle.year} de l'unité {report.directorate.name_fr} : "
        "réalisations au regard du cahier des charges, difficultés rencontrées et perspectives.",
        achievements=[
            {"title": a["title"], "description": a["description"]} for a in ACHIEVEMENTS_2022 if a["unit"] == code
        ],
        constraints=[
            {k: c[k] for k in ("category", "description", "remedy", "needs_action")}
            for c in CONSTRAINTS_2022
            if c["unit"] == code
        ],
    )


# The returned report the office sent back with flagged items (item-level review, docs/beyond.md).
FLAGGED = "FM6"


def _flags(report):
    """Two items to correct: an outcome not fully done, and a challenge or an achievement of the report."""
    outcome = report.outcomes.exclude(status=Outcome.Status.DONE).order_by("deliverable_id").first() or (
        report.outcomes.order_by("deliverable_id").first()
    )
    items = [
        {
            "kind": "outcome",
            "id": outcome.deliverable_id,
            "comment": "Taux d'avancement à justifier : joindre le procès-verbal de l'état des travaux.",
        }
    ]
    constraint = report.constraints.order_by("id").first()
    achievement = report.achievements.order_by("id").first()
    if constraint is not None:
        items.append(
            {
                "kind": "constraint",
                "id": constraint.pk,
                "comment": "Chiffrer le besoin (effectifs, crédits) pour l'inscrire à la feuille de route.",
            }
        )
    elif achievement is not None:
        items.append(
            {
                "kind": "achievement",
                "id": achievement.pk,
                "comment": "Préciser les résultats obtenus (chiffres de l'année).",
            }
        )
    return items


def _backdate(report, when):
    """Give demo events realistic 2022 dates (they are created today)."""
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=when, submitted_at=when, submitted_late=when.date() > report.cycle.submission_deadline
    )
    for offset, event in enumerate(report.events.order_by("id")):
        ReportEvent.objects.filter(pk=event.pk).update(created_at=when + datetime.timedelta(days=offset))
    # Flags carry the date of the return that raised them; the unit answers the next morning.
    for item in ReviewItem.objects.filter(report=report).select_related("return_event"):
        returned = item.return_event.created_at
        ReviewItem.objects.filter(pk=item.pk).update(created_at=returned)
        ReviewItemComment.objects.filter(item=item).update(created_at=returned + datetime.timedelta(hours=22))


def load(stdout):
    office = User.objects.get(username="dg.office")
    unit_permissions.join(office, permissions.GROUPS)  # review reports, manage cycles
    cycle = ReviewCycle.objects.create(
        year=2022, submission_deadline=datetime.date(2022, 12, 9), meeting_date=datetime.date(2022, 12, 22)
    )
    units = {u.code: u for u in Directorate.objects.all()}
    tz = timezone.get_current_timezone()
    for n, (state, codes) in enumerate(PLAN.items()):
        for i, code in enumerate(codes):
            unit = units[code]
            head = User.objects.get(username=f"head.{code.lower()}")
            editor = User.objects.get(username=f"editor.{code.lower()}")
            report = services.report_start(actor=editor, cycle=cycle, directorate=unit)
            _fill(report, editor, complete=state != "draft")
            if state == "draft":
                continue
            report = services.report_submit(actor=head, report=report)
            if state == "returned" or (state == "accepted" and i % 3 == 0):
                report = services.report_return(
                    actor=office,
                    report=report,
                    comment="Merci de préciser les indicateurs chiffrés et de joindre les justificatifs.",
                    items=_flags(report) if code == FLAGGED else None,
                )
                if code == FLAGGED:
                    head_answer = report.review_items.order_by("id").first()
                    services.review_item_comment(
                        actor=head,
                        item=head_answer,
                        text=(
                            "Le procès-verbal de réception est en cours de signature ; il sera joint avant le 16 "
                            "décembre."
                        ),
                    )
                if state == "accepted":
                    report = services.report_submit(actor=head, report=report)
            if state == "accepted":
                report = services.report_accept(actor=office, report=report, comment="Bilan conforme.")
            day = 1 + (i * 3 + n) % 14  # some before the 9 December deadline, some after
            _backdate(report, datetime.datetime(2022, 12, day, 10, 0, tzinfo=tz))
    meknes = Report.objects.get(cycle=cycle, directorate=units["WS-MEKNES"])
    extension = services.report_extend_deadline(
        actor=office,
        report=meknes,
        until=datetime.date(2022, 12, 16),
        today=datetime.date(2022, 12, 7),
        reason="Prise de fonctions du nouveau préfet de police fin novembre : une semaine de plus accordée.",
    )
    DeadlineExtension.objects.filter(pk=extension.pk).update(granted_at=datetime.datetime(2022, 12, 7, 9, 0, tzinfo=tz))
    stdout.write(f"  cycle 2022 with {Report.objects.filter(cycle=cycle).count()} reports in every state")
