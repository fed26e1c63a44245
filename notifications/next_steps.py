"""The home page's "what to do next", per person: what is due, returned or waiting for them, each a link.

A read built from the domain apps' selectors and permissions (no rule of its own): a unit's head or editor
sees their report to start, fill, correct (with the office's reason) or submit, and its deadline; a unit's
head sees the milestones of their units coming due; a region's head sees the units under the region that
have not submitted; the DG's office sees the reports waiting for review and the roadmap to compile,
propose or approve; the DG the roadmap to approve and the priorities to record.

A fixed number of queries whatever the number of units, reports or milestones (tests/ux/test_home.py).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directorates.models import Directorate, Membership
from reviews import permissions as review_permissions
from reviews import selectors as review_selectors
from reviews.models import ReportState
from roadmap import permissions as roadmap_permissions
from roadmap import selectors as roadmap_selectors
from roadmap.models import ObjectiveStatus, Priority, Roadmap, RoadmapState

MILESTONE_WINDOW = datetime.timedelta(days=30)
MILESTONES_LISTED = 10


@dataclass
class Step:
    """One thing to do (or to know): ``level`` is "urgent", "todo" or "info"; ``url`` where to do it."""

    kind: str
    title: str
    url: str
    level: str = "todo"
    detail: str = ""
    due: datetime.date | None = None
    due_text: str = ""


def _due_text(due, today):
    days = (due - today).days
    if days < 0:
        return ngettext("%(days)d day late", "%(days)d days late", -days) % {"days": -days}
    if days == 0:
        return _("due today")
    return ngettext("due in %(days)d day", "due in %(days)d days", days) % {"days": days}


def _report_steps(user, memberships, cycle, today):
    memberships = [
        m for m in memberships if m.directorate.is_active and m.role in (Membership.Role.HEAD, Membership.Role.EDITOR)
    ]
    if not memberships or cycle is None:
        return []
    units = [m.directorate for m in sorted(memberships, key=lambda m: m.directorate.path)]
    roles = {m.directorate_id: m.role for m in memberships}
    reports = {
        r.directorate_id: r
        for r in review_selectors.report_list(user=user)
        .filter(cycle=cycle, directorate__in=units)
        .prefetch_related("events")
    }
    steps = []
    for unit in units:
        report = reports.get(unit.pk)
        head = roles[unit.pk] == Membership.Role.HEAD
        names = {"unit": unit.name, "year": cycle.year}
        if report is None:
            if cycle.is_open:
                due = cycle.submission_deadline
                steps.append(
                    Step(
                        "start",
                        _("Start the %(year)s report of « %(unit)s »") % names,
                        reverse("reviews:report_list"),
                        "urgent" if due < today else "todo",
                        due=due,
                        due_text=_due_text(due, today),
                    )
                )
            continue
        detail_url = reverse("reviews:report_detail", args=[report.pk])
        editable = review_permissions.can_edit_report(user, report)
        edit_url = reverse("reviews:report_edit", args=[report.pk]) if editable else detail_url
        due = report.deadline
        if report.state == ReportState.RETURNED:
            returned = report.last_return
            steps.append(
                Step(
                    "returned",
                    _("Correct the report of « %(unit)s » returned by the DG's office") % names,
                    edit_url,
                    "urgent",
                    detail=returned.comment if returned else "",
                    due=due,
                    due_text=_due_text(due, today),
                )
            )
        elif report.state == ReportState.DRAFT and report.cycle.is_open:
            events = list(report.events.all())
            ready = bool(events) and events[-1].marks_ready
            if head and ready:
                steps.append(
                    Step(
                        "submit",
                        _("Submit the report of « %(unit)s »: it was marked ready") % names,
                        detail_url,
                        "urgent" if due < today else "todo",
                        due=due,
                        due_text=_due_text(due, today),
                    )
                )
            else:
                title = _("Fill in the report of « %(unit)s » (%(percent)s %% complete)") % {
                    **names,
                    "percent": report.completeness,
                }
                steps.append(
                    Step(
                        "fill",
                        title,
                        edit_url,
                        "urgent" if due < today else "todo",
                        detail=_("Only the unit's head can submit it.") if not head else "",
                        due=due,
                        due_text=_due_text(due, today),
                    )
                )
        elif report.state == ReportState.SUBMITTED:
            steps.append(
                Step(
                    "waiting",
                    _("The report of « %(unit)s » awaits the DG's office's review") % names,
                    detail_url,
                    "info",
                )
            )
    return steps


def _milestone_steps(user, memberships, today):
    headed = [m.directorate_id for m in memberships if m.role == Membership.Role.HEAD]
    if not headed:
        return []
    milestones = (
        roadmap_selectors.milestone_queryset(user=user, as_of=today)
        .filter(objective__owner__in=headed, objective__state="active", due_date__lte=today + MILESTONE_WINDOW)
        .exclude(status=ObjectiveStatus.DONE)
        .order_by("due_date", "pk")[:MILESTONES_LISTED]
    )
    steps = []
    for milestone in milestones:
        objective = milestone.objective
        steps.append(
            Step(
                "milestone",
                _("Record the progress of « %(milestone)s » (objective %(ref)s)")
                % {"milestone": milestone.title, "ref": objective.ref},
                reverse("roadmap:objective_detail", args=[objective.pk]),
                "urgent" if milestone.due_date < today else "todo",
                due=milestone.due_date,
                due_text=_due_text(milestone.due_date, today),
            )
        )
    return steps


def _region_steps(memberships, cycle, today):
    regions = [m.directorate for m in memberships if m.role == Membership.Role.HEAD and m.directorate.is_active]
    if not regions or cycle is None:
        return []
    below = Q()
    for region in regions:
        below |= Q(path__startswith=region.path)
    handed_in = Q(
        reports__cycle=cycle, reports__state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.LOCKED]
    )
    units = (
        Directorate.objects.filter(below, is_active=True)
        .exclude(pk__in=[r.pk for r in regions])
        .annotate(handed_in=Count("reports", filter=handed_in))
        .values_list("path", "handed_in")
    )
    missing = {region.pk: 0 for region in regions}
    for path, handed in units:
        if handed:
            continue
        for region in regions:
            if path.startswith(region.path):
                missing[region.pk] += 1
    steps = []
    query = urlencode({"year": cycle.year})
    for region in regions:
        count = missing[region.pk]
        if not count:
            continue
        due = cycle.submission_deadline
        steps.append(
            Step(
                "region",
                ngettext(
                    "%(count)d unit under « %(unit)s » has not submitted its %(year)s report",
                    "%(count)d units under « %(unit)s » have not submitted their %(year)s report",
                    count,
                )
                % {"count": count, "unit": region.name, "year": cycle.year},
                f"{reverse('reviews:report_list')}?{query}",
                "urgent" if due < today else "info",
                due=due,
                due_text=_due_text(due, today),
            )
        )
    return steps


def _office_steps(user, cycle, today):
    if cycle is None or not user.sees_everything:
        return []
    steps = []
    if review_permissions.can_review(user):
        waiting = review_selectors.report_list(user=user).filter(cycle=cycle, state=ReportState.SUBMITTED).count()
        if waiting:
            steps.append(
                Step(
                    "review",
                    ngettext(
                        "%(count)d report waits for your review", "%(count)d reports wait for your review", waiting
                    )
                    % {"count": waiting},
                    f"{reverse('reviews:report_list')}?{urlencode({'year': cycle.year, 'state': 'submitted'})}",
                )
            )
    prepare = roadmap_permissions.can_prepare(user)
    approve = roadmap_permissions.can_approve(user)
    if roadmap_permissions.can_record_priorities(user) and not Priority.objects.filter(cycle=cycle).exists():
        steps.append(
            Step(
                "priorities",
                _("Record the DG's priorities for %(year)s") % {"year": cycle.year},
                reverse("roadmap:priorities", args=[cycle.year]),
            )
        )
    if not (prepare or approve):
        return steps
    roadmap = Roadmap.objects.filter(cycle=cycle).first()
    year = cycle.year + 1
    url = reverse("roadmap:detail", args=[roadmap.year if roadmap else year])
    if roadmap is None:
        if prepare and cycle.meeting_date and cycle.meeting_date <= today:
            steps.append(Step("compile", _("Compile the %(year)s roadmap from the meeting") % {"year": year}, url))
    elif roadmap.state == RoadmapState.DRAFT and prepare:
        steps.append(
            Step(
                "propose",
                _("Finish and propose version %(version)s of the %(year)s roadmap")
                % {"version": roadmap.version, "year": roadmap.year},
                url,
            )
        )
    elif roadmap.state == RoadmapState.PROPOSED:
        if approve and roadmap_permissions.approval_problem(user, roadmap) is None:
            steps.append(
                Step(
                    "approve",
                    _("Approve the %(year)s roadmap (version %(version)s), or send it back")
                    % {"version": roadmap.version, "year": roadmap.year},
                    url,
                    "urgent",
                )
            )
        elif prepare:
            steps.append(
                Step("awaiting", _("The %(year)s roadmap awaits approval") % {"year": roadmap.year}, url, "info")
            )
    return steps


def next_steps(*, user, today=None):
    """What ``user`` should do next, most urgent first; an empty list when nothing waits for them."""
    today = today or timezone.localdate()
    cycle = review_selectors.current_cycle()
    memberships = list(Membership.objects.filter(user=user).select_related("directorate"))
    steps = (
        _office_steps(user, cycle, today)
        + _report_steps(user, memberships, cycle, today)
        + _region_steps(memberships, cycle, today)
        + _milestone_steps(user, memberships, today)
    )
    order = {"urgent": 0, "todo": 1, "info": 2}
    return cycle, sorted(steps, key=lambda s: (order[s.level], s.due or datetime.date.max))
