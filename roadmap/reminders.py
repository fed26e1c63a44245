"""The roadmap reuses the reminder machinery (notifications): small kinds, two templates each.

Imported from RoadmapConfig.ready().

- Milestones: recipients are the heads of the objective's owner unit, who record progress; the
  occasion key makes each reminder go out once (J-14, J-7, J-1, then weekly while overdue).
- Approval: when a version is proposed, the people holding the approval right are told; when it is
  approved or sent back, the person who proposed it is. Sent at once (the roadmap's signal), or by the
  next due-check if the signal was lost; never to the person who acted.
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications.registry import Due, ReminderKind, register, unit_names
from roadmap import permissions, selectors
from roadmap.models import RoadmapEvent, RoadmapState

# A roadmap notice missed while the broker was down is still sent if its event is at most this old.
EVENT_WINDOW = datetime.timedelta(days=7)


def _context(item):
    return {
        "title": item.milestone.title,
        "objective": item.objective.title,
        "due": item.due_date.isoformat(),
        "days_left": item.days,
        "days_late": -item.days,
        "unit": unit_names(item.unit),
        "path": reverse("roadmap:objective_detail", args=[item.objective.pk]),
    }


@register
class MilestoneDueReminder(ReminderKind):
    key = "milestone_due"
    label = gettext_lazy("Roadmap milestone due soon")

    def due(self, *, today, now, policies):
        for item in selectors.milestones_due(today, within_days=14):
            step = 14 if item.days > 7 else 7 if item.days > 1 else 1
            for head in item.heads:
                yield Due(
                    head.pk, f"milestone:{item.milestone.pk}/d-{step}", _context(item), directorate_id=item.unit.pk
                )

    def subject(self, context):
        return _("Roadmap milestone due on %(due)s: %(title)s") % context


# An overdue digest lists at most this many milestones (the most overdue first); it gives the total.
OVERDUE_LISTED = 30
_PLACEHOLDER = 987654321


@register
class MilestoneOverdueReminder(ReminderKind):
    """One weekly digest per unit and head while milestones of the unit are overdue, listing them — not
    one message per milestone (12,946 at national scale, where a head would get dozens a week)."""

    key = "milestone_overdue"
    label = gettext_lazy("Roadmap milestones overdue")

    def due(self, *, today, now, policies):
        iso_year, iso_week, _weekday = today.isocalendar()
        # One reverse() for every link (it costs more than the rest of a milestone's entry).
        objective_path = reverse("roadmap:objective_detail", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
        for entry in selectors.milestones_overdue_by_unit(today):
            if not entry.heads:
                continue
            context = {
                "unit": unit_names(entry.unit),
                "unit_code": entry.unit.code,
                "count": len(entry.milestones),
                "more": max(len(entry.milestones) - OVERDUE_LISTED, 0),
                "milestones": [
                    {
                        "title": m["title"],
                        "objective": m["objective"],
                        "due": m["due_date"].isoformat(),
                        "days_late": m["days_late"],
                        "path": objective_path.format(m["objective_id"]),
                    }
                    for m in entry.milestones[:OVERDUE_LISTED]  # the oldest due date first
                ],
                "path": reverse("roadmap:home"),
            }
            occasion = f"milestones-late:{entry.unit.pk}/{iso_year}-w{iso_week:02d}"  # once a week per unit and head
            for head in entry.heads:
                yield Due(head.pk, occasion, context, directorate_id=entry.unit.pk)

    def subject(self, context):
        return (
            ngettext(
                "%(count)s roadmap milestone overdue: %(unit_name)s",
                "%(count)s roadmap milestones overdue: %(unit_name)s",
                context["count"],
            )
            % context
        )


class _RoadmapEventKind(ReminderKind):
    """A notice about one roadmap state change: the move ``old_state`` → ``new_state``."""

    scheduled = False
    event_source = "roadmap"
    old_state: RoadmapState | None = None
    new_state: RoadmapState | None = None

    def events(self, *, now, event_ids=None):
        events = RoadmapEvent.objects.filter(old_state=self.old_state, new_state=self.new_state).select_related(
            "roadmap", "actor"
        )
        if event_ids is not None:
            return events.filter(pk__in=event_ids)
        return events.filter(created_at__gte=now - EVENT_WINDOW)

    def recipients(self, events):
        """A function event → recipient ids, computed for all ``events`` in a fixed number of queries."""
        raise NotImplementedError

    def due(self, *, today, now, policies, event_ids=None):
        events = list(self.events(now=now, event_ids=event_ids))
        if not events:
            return
        recipients = self.recipients(events)
        for event in events:
            context = {
                "year": event.roadmap.year,
                "version": event.version,
                "actor": event.actor.get_full_name() or event.actor.username,
                "comment": event.comment,
                "at": event.created_at.isoformat(),
                "path": reverse("roadmap:detail", args=[event.roadmap.year]),
            }
            for user_id in recipients(event):
                if user_id != event.actor_id:  # nobody is told of what they did themselves
                    yield Due(user_id, f"event:{event.pk}", context, event.roadmap.cycle_id)


def _proposers(events):
    """{event id: id of who proposed that version before the event}: one query for all events."""
    proposals = (
        RoadmapEvent.objects.filter(
            roadmap_id__in={e.roadmap_id for e in events},
            version__in={e.version for e in events},
            new_state=RoadmapState.PROPOSED,
        )
        .order_by("created_at", "id")
        .values_list("roadmap_id", "version", "created_at", "actor_id")
    )
    out = {}
    for event in events:
        for roadmap_id, version, created_at, actor_id in proposals:
            if (roadmap_id, version) == (event.roadmap_id, event.version) and created_at <= event.created_at:
                out[event.pk] = actor_id  # the latest proposal before the event wins
    return out


@register
class RoadmapProposedNotice(_RoadmapEventKind):
    key = "roadmap_proposed"
    label = gettext_lazy("Roadmap proposed for approval")
    old_state, new_state = RoadmapState.DRAFT, RoadmapState.PROPOSED

    def recipients(self, events):
        approvers = list(permissions.approvers().order_by("pk").values_list("pk", flat=True))
        return lambda event: approvers

    def subject(self, context):
        return _("Roadmap %(year)s, version %(version)s: proposed for your approval") % context


class _ProposerNotice(_RoadmapEventKind):
    def recipients(self, events):
        proposers = _proposers(events)
        return lambda event: [proposers[event.pk]] if event.pk in proposers else []


@register
class RoadmapApprovedNotice(_ProposerNotice):
    key = "roadmap_approved"
    label = gettext_lazy("Roadmap approved")
    old_state, new_state = RoadmapState.PROPOSED, RoadmapState.APPROVED

    def subject(self, context):
        return _("Roadmap %(year)s, version %(version)s: approved") % context


@register
class RoadmapReturnedNotice(_ProposerNotice):
    key = "roadmap_returned"
    label = gettext_lazy("Roadmap sent back with comments")
    old_state, new_state = RoadmapState.PROPOSED, RoadmapState.DRAFT

    def subject(self, context):
        return _("Roadmap %(year)s, version %(version)s: sent back with comments") % context
