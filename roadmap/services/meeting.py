"""The year-end meeting: its agenda, who is invited, who attended."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from core import audit
from directorates.models import Directorate, Membership, User
from reviews.models import Report, ReviewCycle
from roadmap.models import (
    AgendaItem,
    Attendance,
    Meeting,
)
from roadmap.services.common import (
    REVIEWED_STATES,
    _require_preparer,
)


def _heads_by_unit(unit_ids: Iterable[int]) -> dict[int, int]:
    heads: dict[int, int] = {}
    for membership in Membership.objects.filter(directorate__in=unit_ids, role=Membership.Role.HEAD).order_by("id"):
        heads.setdefault(membership.directorate_id, membership.user_id)
    return heads


@transaction.atomic
def meeting_build(
    *, actor: User, cycle: ReviewCycle, date: datetime.date | None = None, place: str | None = None
) -> Meeting:
    """Create (or bring up to date) the cycle's meeting.

    One agenda item per accepted report, appended in the organisation tree's order; the head of each
    unit on the agenda is invited. Building again adds what was accepted since, and keeps the order
    and the attendance already recorded.
    """
    _require_preparer(actor)
    meeting = Meeting.objects.select_for_update().filter(cycle=cycle).first()
    if meeting is None:
        meeting = Meeting(cycle=cycle, date=date or cycle.meeting_date, place=place or "", created_by=actor)
        audit.attribute(meeting, actor=actor)
        meeting.save()
    elif date is not None or place is not None:
        meeting.date = date or meeting.date
        meeting.place = meeting.place if place is None else place
        audit.attribute(meeting, actor=actor)
        meeting.save()
    on_agenda = set(meeting.agenda.values_list("directorate_id", flat=True))
    last = meeting.agenda.aggregate(n=Max("position"))["n"] or 0
    reports = list(
        Report.objects.filter(cycle=cycle, state__in=REVIEWED_STATES)
        .exclude(directorate__in=on_agenda)
        .select_related("directorate")
        .order_by("directorate__path")
    )
    audit.bulk_create(
        AgendaItem,
        [
            AgendaItem(meeting=meeting, directorate=r.directorate, report=r, position=last + i)
            for i, r in enumerate(reports, start=1)
        ],
        actor=actor,
        reason="agenda built from accepted reports",
    )
    meeting_invite(actor=actor, meeting=meeting, directorates=[r.directorate for r in reports])
    return meeting


@transaction.atomic
def meeting_invite(*, actor: User, meeting: Meeting, directorates: Iterable[Directorate]) -> None:
    """Invite units (their head at this moment) to the meeting; already invited units are kept as they are."""
    _require_preparer(actor)
    invited = set(meeting.attendance.values_list("directorate_id", flat=True))
    new = [d for d in directorates if d.pk not in invited]
    heads = _heads_by_unit([d.pk for d in new])
    audit.bulk_create(
        Attendance,
        [Attendance(meeting=meeting, directorate=d, person_id=heads.get(d.pk)) for d in new],
        actor=actor,
        reason="invited",
    )


@transaction.atomic
def agenda_move(*, actor: User, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap an agenda item with its neighbour ("up" or "down")."""
    _require_preparer(actor)
    items = list(AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("position", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return item
    items[index], items[other] = items[other], items[index]
    changed: list[AgendaItem] = []
    for position, it in enumerate(items, start=1):
        if it.position != position:
            it.position = position
            changed.append(it)
    AgendaItem.objects.bulk_update(changed, ["position"])
    audit.record_update(changed, actor=actor, reason="agenda reordered")
    return item


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, present_unit_ids: Iterable[int | str]) -> Meeting:
    """Mark who attended: the invited units in ``present_unit_ids`` are present, the others absent."""
    _require_preparer(actor)
    present = {int(pk) for pk in present_unit_ids}
    rows = list(meeting.attendance.select_for_update())
    changed: list[Attendance] = []
    for row in rows:
        value = row.directorate_id in present
        if row.present != value:
            row.present = value
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["present"])
    audit.record_update(changed, actor=actor, reason="attendance recorded")
    return meeting
