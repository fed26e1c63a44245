"""Roadmap milestones reuse the reminder machinery (notifications): two small kinds, two templates each.

Imported from RoadmapConfig.ready(). Recipients are the heads of the objective's owner unit, who
record progress; the occasion key makes each reminder go out once (J-14, J-7, J-1, then weekly
while the milestone is overdue).
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.registry import Due, ReminderKind, register, unit_names
from roadmap import selectors


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
                yield Due(head.pk, f"milestone:{item.milestone.pk}/d-{step}", _context(item),
                          directorate_id=item.unit.pk)

    def subject(self, context):
        return _("Roadmap milestone due on %(due)s: %(title)s") % context


@register
class MilestoneOverdueReminder(ReminderKind):
    key = "milestone_overdue"
    label = gettext_lazy("Roadmap milestone overdue")

    def due(self, *, today, now, policies):
        for item in selectors.milestones_overdue(today):
            week = (-item.days - 1) // 7  # one reminder per week of delay
            for head in item.heads:
                yield Due(head.pk, f"milestone:{item.milestone.pk}/late-w{week}", _context(item),
                          directorate_id=item.unit.pk)

    def subject(self, context):
        return _("Roadmap milestone overdue since %(due)s: %(title)s") % context
