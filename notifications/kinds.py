"""The built-in reminder kinds of the annual review. Each computes, in a few batched queries,
who must be told what today; the shared machinery in services.py claims, sends and logs."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.i18n import in_every_language, pick
from directorates import permissions as unit_permissions
from directorates.models import Deliverable, Directorate, Membership, User
from notifications import ics
from notifications.registry import Due, ReminderKind, register, unit_names
from reviews import permissions as review_permissions
from reviews.models import DeadlineExtension, Report, ReportEvent, ReportState, ReviewItem, ReviewItemComment

# Units whose report is in one of these states are left alone: nothing is asked of them.
DONE_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.LOCKED)
WRITERS = (Membership.Role.HEAD, Membership.Role.EDITOR)
# Event notices missed while the broker was down are still sent if the event is at most this old.
EVENT_WINDOW = datetime.timedelta(days=7)


def _date(value):
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return formats.date_format(value, "DATE_FORMAT")


def units_to_remind(cycle):
    """Active units that have not submitted their report for ``cycle`` (none, draft or returned).

    Three queries whatever the number of units. Each row says what is missing, and the unit's
    own deadline (the cycle's, or the extension the DG's office granted it).
    """
    units = list(
        Directorate.objects.filter(is_active=True).only("pk", "code", "name_fr", "name_ar", "name_en", "parent_id")
    )
    reports = {
        r.directorate_id: r
        for r in Report.objects.filter(cycle=cycle)
        .only("pk", "directorate_id", "state", "extended_until")
        .annotate(filled=Count("outcomes", filter=~Q(outcomes__status="")))
    }
    totals = dict(
        Deliverable.objects.filter(year=cycle.year)
        .values("directorate")
        .annotate(n=Count("pk"))
        .values_list("directorate", "n")
    )
    rows = []
    for unit in units:
        report = reports.get(unit.pk)
        if report is not None and report.state in DONE_STATES:
            continue
        rows.append(
            {
                "unit": unit,
                "report_id": report.pk if report else None,
                "state": report.state if report else "missing",
                "filled": report.filled if report else 0,
                "total": totals.get(unit.pk, 0),
                "deadline": (report.extended_until if report else None) or cycle.submission_deadline,
                "extended": bool(report and report.extended_until),
            }
        )
    return rows


def members_by_unit(unit_ids, roles):
    """{unit id: [user ids]} of the active people holding one of ``roles``: one query."""
    out = defaultdict(list)
    rows = (
        Membership.objects.filter(directorate_id__in=unit_ids, role__in=roles, user__is_active=True)
        .order_by("directorate_id", "user_id")
        .values_list("directorate_id", "user_id")
    )
    for unit_id, user_id in rows:
        out[unit_id].append(user_id)
    return out


def ids_of(users):
    return list(users.order_by("pk").values_list("pk", flat=True))


def reviewer_ids():
    """The people who review reports (the right, directorates.permissions): told of submissions and late units."""
    return ids_of(unit_permissions.holders_of(review_permissions.REVIEW_REPORTS))


def report_path(report_id):
    return reverse("reviews:report_detail", args=[report_id]) if report_id else reverse("reviews:report_list")


def report_context(report):
    """What every notice about one report carries: its year, its unit (names in every language), the link."""
    return {
        "year": report.cycle.year,
        "unit_code": report.directorate.code,
        "unit": unit_names(report.directorate),
        "report_id": report.pk,
        "path": report_path(report.pk),
    }


def chosen_or_recent(rows, ids, *, since, created, cycle):
    """The rows of an immediate notice (``ids``), or, for the due-check, those made since ``since`` in an open
    cycle (a notice the broker lost is still sent)."""
    if ids is not None:
        return list(rows.filter(pk__in=ids))
    return list(rows.filter(**{f"{created}__gte": since, f"{cycle}__state": "open"}))


def unit_context(row, cycle):
    unit = row["unit"]
    return {
        "year": cycle.year,
        "deadline": row["deadline"].isoformat(),
        "extended": row["extended"],
        "unit_code": unit.code,
        "unit": unit_names(unit),
        "report_id": row["report_id"],
        "state": row["state"],
        "filled": row["filled"],
        "total": row["total"],
        "path": report_path(row["report_id"]),
    }


class _UnitKind(ReminderKind):
    """A reminder to the writers of each unit that has not submitted, on days the kind chooses,
    counted from the unit's own deadline."""

    roles: tuple[Membership.Role, ...] = WRITERS

    def occasion_for(self, deadline, cycle, policy, today):
        """The occasion name of today for a unit due on ``deadline`` (None: nothing today), and extra context."""
        raise NotImplementedError

    def due(self, *, today, now, policies):
        for policy in policies.values():
            cycle = policy.cycle
            deadlines = {cycle.submission_deadline}
            rows = None
            if Report.objects.filter(cycle=cycle, extended_until__isnull=False).exists():
                rows = units_to_remind(cycle)
                deadlines |= {row["deadline"] for row in rows}
            occasions = {deadline: self.occasion_for(deadline, cycle, policy, today) for deadline in deadlines}
            if all(occasion is None for occasion, _extra in occasions.values()):
                continue
            rows = rows if rows is not None else units_to_remind(cycle)
            members = members_by_unit([row["unit"].pk for row in rows], self.roles)
            for row in rows:
                occasion, extra = occasions[row["deadline"]]
                if occasion is None:
                    continue
                if row["extended"]:
                    # Counted again from the new date: its J-7 is not the original deadline's J-7.
                    occasion = f"until:{row['deadline'].isoformat()}/{occasion}"
                context = {**unit_context(row, cycle), **extra}
                for user_id in members.get(row["unit"].pk, ()):
                    yield Due(
                        user_id, f"cycle:{cycle.pk}/unit:{row['unit'].pk}/{occasion}", context, cycle.pk, row["unit"].pk
                    )


@register
class DeadlineReminder(_UnitKind):
    """J-30, J-14, J-7, J-3, J-1 (the policy's offsets). A reminder missed while the scheduler was down
    goes out on its next run, as long as the deadline has not passed; each offset at most once."""

    key = "deadline_reminder"
    label = gettext_lazy("Reminder before the submission deadline")

    def occasion_for(self, deadline, cycle, policy, today):
        days_left = (deadline - today).days
        passed = [offset for offset in policy.clean_offsets() if offset >= days_left]
        if days_left < 0 or not passed:
            return None, {}
        return f"d-{min(passed)}", {"days_left": days_left}

    def subject(self, context):
        days = context["days_left"]
        if days == 0:
            return _("Annual report %(year)s: the deadline is today") % {"year": context["year"]}
        return ngettext(
            "Annual report %(year)s: %(days)s day left before the deadline",
            "Annual report %(year)s: %(days)s days left before the deadline",
            days,
        ) % {"year": context["year"], "days": days}


@register
class OverdueReminder(_UnitKind):
    """Every day after the deadline (until the meeting), to the head of each unit that has not submitted."""

    key = "overdue_reminder"
    label = gettext_lazy("Daily reminder of an overdue report")
    roles = (Membership.Role.HEAD,)

    def occasion_for(self, deadline, cycle, policy, today):
        days_late = (today - deadline).days
        if not policy.overdue_daily or days_late < 1 or today > cycle.meeting_date:
            return None, {}
        return f"overdue:{today.isoformat()}", {"days_late": days_late}

    def subject(self, context):
        return ngettext(
            "Annual report %(year)s of %(unit)s: %(days)s day late",
            "Annual report %(year)s of %(unit)s: %(days)s days late",
            context["days_late"],
        ) % {"year": context["year"], "unit": pick(context["unit"]), "days": context["days_late"]}


@register
class OfficeDigest(ReminderKind):
    """One message a day to the DG's office listing every late unit, how late and what is missing."""

    key = "office_digest"
    label = gettext_lazy("Daily digest of late units")

    def due(self, *, today, now, policies):
        recipients = None
        for policy in policies.values():
            cycle = policy.cycle
            days_late = (today - cycle.submission_deadline).days
            if not policy.office_digest or days_late < 1 or today > cycle.meeting_date:
                continue
            # A unit with an extension is not late before its own date.
            rows = [row for row in units_to_remind(cycle) if row["deadline"] < today]
            if not rows:
                continue
            if recipients is None:
                recipients = reviewer_ids()
            context = {
                "year": cycle.year,
                "date": today.isoformat(),
                "deadline": cycle.submission_deadline.isoformat(),
                "days_late": days_late,
                "path": reverse("reviews:dashboard", args=[cycle.year]),
                "units": [{**unit_context(row, cycle), "days_late": (today - row["deadline"]).days} for row in rows],
            }
            for user_id in recipients:
                yield Due(user_id, f"cycle:{cycle.pk}/digest:{today.isoformat()}", context, cycle.pk)

    def subject(self, context):
        return ngettext(
            "Annual reports %(year)s: %(count)s unit is late",
            "Annual reports %(year)s: %(count)s units are late",
            len(context["units"]),
        ) % {"year": context["year"], "count": len(context["units"])}


class _MeetingKind(ReminderKind):
    """To the head of every active unit, the DG's office and the DG, with the meeting as an .ics file."""

    def is_due(self, cycle, policy, today):
        raise NotImplementedError

    def due(self, *, today, now, policies):
        for policy in policies.values():
            cycle = policy.cycle
            if not self.is_due(cycle, policy, today):
                continue
            heads = Membership.objects.filter(
                role=Membership.Role.HEAD, user__is_active=True, directorate__is_active=True
            ).values_list("user_id", flat=True)
            recipients = sorted(set(heads) | set(ids_of(unit_permissions.office_members())))
            context = {
                "year": cycle.year,
                "meeting_date": cycle.meeting_date.isoformat(),
                "deadline": cycle.submission_deadline.isoformat(),
                "path": reverse("reviews:report_list"),
            }
            for user_id in recipients:
                yield Due(user_id, f"cycle:{cycle.pk}/{self.occasion}", context, cycle.pk)

    def attachments(self, context):
        return [("annual-review-meeting.ics", ics.meeting_calendar(context), "text/calendar; charset=utf-8")]


@register
class MeetingInvitation(_MeetingKind):
    key = "meeting_invitation"
    label = gettext_lazy("Invitation to the annual review meeting")
    occasion = "invitation"

    def is_due(self, cycle, policy, today):
        return policy.meeting_invitation and today < cycle.meeting_date

    def subject(self, context):
        return _("Invitation: annual review meeting %(year)s on %(date)s") % {
            "year": context["year"],
            "date": _date(context["meeting_date"]),
        }


@register
class MeetingEveReminder(_MeetingKind):
    key = "meeting_eve_reminder"
    label = gettext_lazy("Reminder the day before the meeting")
    occasion = "meeting-eve"

    def is_due(self, cycle, policy, today):
        return policy.meeting_eve_reminder and today == cycle.meeting_date - datetime.timedelta(days=1)

    def subject(self, context):
        return _("Reminder: the annual review meeting %(year)s is tomorrow, %(date)s") % {
            "year": context["year"],
            "date": _date(context["meeting_date"]),
        }


class _EventKind(ReminderKind):
    """A notice about one report event, sent at once (the signal) or by the next due-check (a missed signal)."""

    scheduled = False
    event_source = "report"
    state: ReportState | None = None

    def events(self, *, now, event_ids=None):
        events = self.matching(ReportEvent.objects.all()).select_related(
            "report__directorate", "report__cycle", "actor"
        )
        return chosen_or_recent(
            events, event_ids, since=now - EVENT_WINDOW, created="created_at", cycle="report__cycle"
        )

    def matching(self, events):
        """The events this kind tells about: changes into ``state`` (a "ready" mark changes nothing)."""
        return events.filter(new_state=self.state).exclude(old_state=F("new_state"))

    def recipients(self, events):
        raise NotImplementedError

    def details(self, events):
        """A function event → what this kind adds to the notice's context, for all ``events`` in a fixed
        number of queries."""
        return lambda event: {}

    def due(self, *, today, now, policies, event_ids=None):
        events = self.events(now=now, event_ids=event_ids)
        if not events:
            return
        recipients = self.recipients(events)
        details = self.details(events)
        for event in events:
            report = event.report
            context = {
                **report_context(report),
                "comment": event.comment,
                "actor": event.actor.get_full_name() or event.actor.username,
                "at": event.created_at.isoformat(),
                "late": report.submitted_late,
                **details(event),
            }
            for user_id in recipients(event):
                yield Due(user_id, f"event:{event.pk}", context, report.cycle_id, report.directorate_id)


@register
class ReportReturnedNotice(_EventKind):
    key = "report_returned"
    label = gettext_lazy("Report returned for corrections")
    state = ReportState.RETURNED

    def recipients(self, events):
        members = members_by_unit({e.report.directorate_id for e in events}, WRITERS)
        return lambda event: members.get(event.report.directorate_id, ())

    def details(self, events):
        """The items the office flagged with this return, each with its comment: one query."""
        kinds = {kind: in_every_language(label) for kind, label in ReviewItem.Kind.choices}
        flags = defaultdict(list)
        for item in ReviewItem.objects.filter(return_event__in=events).order_by("created_at", "id"):
            flags[item.return_event_id].append({"kind": kinds[item.kind], "label": item.label, "comment": item.comment})
        return lambda event: {"flags": flags.get(event.pk, [])}

    def subject(self, context):
        return _("Annual report %(year)s of %(unit)s returned for corrections") % {
            "year": context["year"],
            "unit": pick(context["unit"]),
        }


@register
class ReportSubmittedNotice(_EventKind):
    key = "report_submitted"
    label = gettext_lazy("Report submitted")
    state = ReportState.SUBMITTED

    def recipients(self, events):
        office = reviewer_ids()
        return lambda event: office

    def subject(self, context):
        return _("Annual report %(year)s of %(unit)s submitted") % {
            "year": context["year"],
            "unit": pick(context["unit"]),
        }


@register
class ReportAcceptedNotice(_EventKind):
    key = "report_accepted"
    label = gettext_lazy("Report accepted")
    state = ReportState.ACCEPTED

    def recipients(self, events):
        heads = members_by_unit({e.report.directorate_id for e in events}, (Membership.Role.HEAD,))
        return lambda event: heads.get(event.report.directorate_id, ())

    def subject(self, context):
        return _("Annual report %(year)s of %(unit)s accepted") % {
            "year": context["year"],
            "unit": pick(context["unit"]),
        }


@register
class ReportReadyNotice(_EventKind):
    """An editor said the report is ready: its head, who alone submits, is told."""

    key = "report_ready"
    label = gettext_lazy("Report ready to be submitted")

    def matching(self, events):
        return events.filter(old_state=F("new_state"))

    def recipients(self, events):
        heads = members_by_unit({e.report.directorate_id for e in events}, (Membership.Role.HEAD,))
        return lambda event: [pk for pk in heads.get(event.report.directorate_id, ()) if pk != event.actor_id]

    def subject(self, context):
        return _("Annual report %(year)s of %(unit)s is ready to be submitted") % {
            "year": context["year"],
            "unit": pick(context["unit"]),
        }


@register
class DeadlineExtendedNotice(ReminderKind):
    """To the writers of a unit whose deadline the DG's office extended: the new date and why."""

    key = "deadline_extended"
    label = gettext_lazy("Deadline extended")
    scheduled = False

    def due(self, *, today, now, policies, extension_ids=None):
        extensions = chosen_or_recent(
            DeadlineExtension.objects.select_related("report__directorate", "report__cycle", "granted_by"),
            extension_ids,
            since=now - EVENT_WINDOW,
            created="granted_at",
            cycle="report__cycle",
        )
        if not extensions:
            return
        members = members_by_unit({e.report.directorate_id for e in extensions}, WRITERS)
        for extension in extensions:
            report = extension.report
            context = {
                **report_context(report),
                "deadline": extension.until.isoformat(),
                "previous_deadline": extension.previous_deadline.isoformat(),
                "reason": extension.reason,
                "actor": extension.granted_by.get_full_name() or extension.granted_by.username,
            }
            for user_id in members.get(report.directorate_id, ()):
                yield Due(user_id, f"extension:{extension.pk}", context, report.cycle_id, report.directorate_id)

    def subject(self, context):
        return _("Annual report %(year)s of %(unit)s: deadline extended to %(date)s") % {
            "year": context["year"],
            "unit": pick(context["unit"]),
            "date": _date(context["deadline"]),
        }


@register
class ReviewItemCommentNotice(ReminderKind):
    """A comment in the thread of a flagged item, to the other side: the unit's head and editors when the
    DG's office writes; the person who flagged the item and the office's people in the thread when the unit
    does. Never to the author."""

    key = "review_item_comment"
    label = gettext_lazy("Comment on a flagged item")
    scheduled = False

    def due(self, *, today, now, policies, comment_ids=None):
        comments = chosen_or_recent(
            ReviewItemComment.objects.select_related("item__report__directorate", "item__report__cycle", "author"),
            comment_ids,
            since=now - EVENT_WINDOW,
            created="created_at",
            cycle="item__report__cycle",
        )
        if not comments:
            return
        writers = members_by_unit({c.item.report.directorate_id for c in comments}, WRITERS)
        in_threads = defaultdict(set)
        for item_id, author_id in ReviewItemComment.objects.filter(
            item_id__in={c.item_id for c in comments}
        ).values_list("item_id", "author_id"):
            in_threads[item_id].add(author_id)
        candidates = {c.item.flagged_by_id for c in comments} | set().union(*in_threads.values())
        active = set(ids_of(User.objects.filter(pk__in=candidates, is_active=True)))
        kinds = {kind: in_every_language(label) for kind, label in ReviewItem.Kind.choices}
        for comment in comments:
            item, report = comment.item, comment.item.report
            unit_side = set(writers.get(report.directorate_id, ()))
            if comment.author_id in unit_side:
                office_side = ({item.flagged_by_id} | in_threads[item.pk]) - unit_side
                recipients = office_side & active
            else:
                recipients = unit_side
            context = {
                **report_context(report),
                "kind": kinds[item.kind],
                "item": item.label,
                "flag_comment": item.comment,
                "comment": comment.text,
                "actor": comment.author.get_full_name() or comment.author.username,
            }
            for user_id in sorted(recipients - {comment.author_id}):
                yield Due(user_id, f"comment:{comment.pk}", context, report.cycle_id, report.directorate_id)

    def subject(self, context):
        return _("Annual report %(year)s of %(unit)s: %(actor)s answered about “%(item)s”") % {
            "year": context["year"],
            "unit": pick(context["unit"]),
            "actor": context["actor"],
            "item": context["item"],
        }


def returned_at(cycle):
    """{report id: (event id, date)} of the latest return of each report of ``cycle``: one query."""
    latest = {}
    events = (
        ReportEvent.objects.filter(report__cycle=cycle, new_state=ReportState.RETURNED)
        .exclude(old_state=F("new_state"))  # an editor's "ready" mark on a returned report is no return
        .order_by("created_at", "pk")
    )
    for event_id, report_id, created_at in events.values_list("pk", "report_id", "created_at"):
        latest[report_id] = (event_id, timezone.localdate(created_at))
    return latest


@register
class EscalationNotice(ReminderKind):
    """A unit that stays overdue is reported up the tree, each step once: after the policy's days to the
    head of its parent unit, later to the DG's office. Overdue is counted from the unit's own deadline, or
    for a returned report from its return when that came later (its corrections are then awaited)."""

    key = "escalation"
    label = gettext_lazy("Escalation of an overdue unit")

    def due(self, *, today, now, policies):
        for policy in policies.values():
            cycle = policy.cycle
            steps = [
                (step, days)
                for step, days in (
                    ("parent", policy.escalate_to_parent_after),
                    ("office", policy.escalate_to_office_after),
                )
                if days is not None
            ]
            if not steps or today > cycle.meeting_date or today <= cycle.submission_deadline:
                continue
            rows = units_to_remind(cycle)
            returns = returned_at(cycle) if any(row["state"] == ReportState.RETURNED for row in rows) else {}
            parents = {row["unit"].parent_id for row in rows if row["unit"].parent_id}
            parent_heads = members_by_unit(parents, (Membership.Role.HEAD,)) if parents else {}
            parent_units = {u.pk: u for u in Directorate.objects.filter(pk__in=parents)} if parents else {}
            office = None
            for row in rows:
                since, reason = row["deadline"], "late"
                if row["state"] == ReportState.RETURNED and row["report_id"] in returns:
                    event_id, returned_on = returns[row["report_id"]]
                    since, reason = max(since, returned_on), f"returned:{event_id}"
                days = (today - since).days
                for step, after in steps:
                    if days < max(after, 1):
                        continue
                    if step == "parent":
                        recipients = parent_heads.get(row["unit"].parent_id, ())
                    else:
                        office = office if office is not None else reviewer_ids()
                        recipients = office
                    parent = parent_units.get(row["unit"].parent_id)
                    context = {
                        **unit_context(row, cycle),
                        "days_late": days,
                        "step": step,
                        "reason": reason.split(":")[0],
                        "parent": unit_names(parent) if parent else None,
                    }
                    for user_id in recipients:
                        yield Due(
                            user_id,
                            f"cycle:{cycle.pk}/unit:{row['unit'].pk}/escalation:{step}:{reason}",
                            context,
                            cycle.pk,
                            row["unit"].pk,
                        )

    def subject(self, context):
        if context["reason"] == "returned":
            return ngettext(
                "Escalation: the returned annual report %(year)s of %(unit)s awaits its corrections for %(days)s day",
                "Escalation: the returned annual report %(year)s of %(unit)s awaits its corrections for %(days)s days",
                context["days_late"],
            ) % {"year": context["year"], "unit": pick(context["unit"]), "days": context["days_late"]}
        return ngettext(
            "Escalation: the annual report %(year)s of %(unit)s is %(days)s day overdue",
            "Escalation: the annual report %(year)s of %(unit)s is %(days)s days overdue",
            context["days_late"],
        ) % {"year": context["year"], "unit": pick(context["unit"]), "days": context["days_late"]}
