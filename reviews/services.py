"""Writes and rules for review cycles and annual reports.

Every write of a report goes through here, whether it comes from the web
forms, the API, the admin, an import or a task.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Model
from django.dispatch import Signal
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError, FieldErrors, InvalidTransition, NotAllowed, ValidationFailed
from core.transitions import StateMachine, move
from directorates.models import Deliverable, Directorate, User
from reviews import items as report_items
from reviews import permissions
from reviews.attachments import check_upload
from reviews.models import (
    EDITABLE_STATES,
    REPORT_TRANSITIONS,
    Achievement,
    Attachment,
    DeadlineExtension,
    Outcome,
    Report,
    ReportConstraint,
    ReportEvent,
    ReportState,
    ReviewCycle,
    ReviewItem,
    ReviewItemComment,
)

# Sent after the transaction commits, once per state change: notifications hook in here.
report_state_changed = Signal()  # kwargs: event_id
deadline_extended = Signal()  # kwargs: extension_id
review_item_commented = Signal()  # kwargs: comment_id


# ---------------------------------------------------------------- cycles


@transaction.atomic
def cycle_open(
    *, actor: User, year: int, submission_deadline: datetime.date, meeting_date: datetime.date
) -> ReviewCycle:
    if not permissions.can_manage_cycles(actor):
        raise NotAllowed(_("Only an administrator or the DG's office may open a review cycle."))
    errors: FieldErrors = {}
    if ReviewCycle.objects.filter(year=year).exists():
        errors["year"] = [_("A review cycle already exists for %(year)s.") % {"year": year}]
    if meeting_date < submission_deadline:
        errors["meeting_date"] = [_("The meeting must come after the submission deadline.")]
    if errors:
        raise ValidationFailed(_("The review cycle could not be opened."), errors=errors)
    cycle = ReviewCycle(year=year, submission_deadline=submission_deadline, meeting_date=meeting_date)
    audit.attribute(cycle, actor=actor)
    cycle.save()
    return cycle


@transaction.atomic
def cycle_close(*, actor: User, cycle: ReviewCycle, comment: str = "") -> ReviewCycle:
    """Close the cycle after the meeting: every report of the year is locked."""
    if not permissions.can_manage_cycles(actor):
        raise NotAllowed(_("Only an administrator or the DG's office may close a review cycle."))
    now = timezone.now()
    if not ReviewCycle.objects.filter(pk=cycle.pk, state=ReviewCycle.State.OPEN).update(
        state=ReviewCycle.State.CLOSED, closed_at=now
    ):
        raise InvalidTransition(_("This review cycle is already closed."))
    cycle.refresh_from_db()
    audit.record_update([cycle], actor=actor, reason="closed")

    to_lock = list(Report.objects.select_for_update().filter(cycle=cycle).exclude(state=ReportState.LOCKED))
    Report.objects.filter(pk__in=[r.pk for r in to_lock]).update(state=ReportState.LOCKED, updated_at=now)
    events = [
        ReportEvent(
            report=report,
            old_state=report.state,
            new_state=ReportState.LOCKED,
            actor=actor,
            comment=comment or _("Cycle closed"),
            created_at=now,
        )
        for report in to_lock
    ]
    ReportEvent.objects.bulk_create(events)
    for report in to_lock:
        report.state = ReportState.LOCKED
    audit.record_update(to_lock, actor=actor, reason="locked: cycle closed")
    _announce(events)
    return cycle


# ---------------------------------------------------------------- report content


def _sync_outcomes(report: Report, actor: User | None) -> None:
    """One outcome row per deliverable of the cahier des charges, added as deliverables appear."""
    existing = set(report.outcomes.values_list("deliverable_id", flat=True))
    missing = Deliverable.objects.filter(directorate_id=report.directorate_id, year=report.cycle.year).exclude(
        pk__in=existing
    )
    audit.bulk_create(Outcome, [Outcome(report=report, deliverable=d) for d in missing], actor=actor)


def outcomes_add_for_deliverables(*, deliverables: Sequence[Deliverable], actor: User | None) -> list[Outcome]:
    """Deliverables joined a cahier des charges: each open (draft or returned) report of their unit and
    year gets their outcome rows, with history. Idempotent; a constant number of queries."""
    keys = {(d.directorate_id, d.year) for d in deliverables}
    reports = [
        report
        for report in Report.objects.filter(
            directorate_id__in={unit for unit, _year in keys},
            cycle__year__in={year for _unit, year in keys},
            state__in=EDITABLE_STATES,
        ).select_related("cycle")
        if (report.directorate_id, report.cycle.year) in keys
    ]
    if not reports:
        return []
    ids = [d.pk for d in deliverables]
    existing = set(
        Outcome.objects.filter(report__in=reports, deliverable_id__in=ids).values_list("report_id", "deliverable_id")
    )
    missing = [
        Outcome(report=report, deliverable_id=d.pk)
        for report in reports
        for d in deliverables
        if (d.directorate_id, d.year) == (report.directorate_id, report.cycle.year)
        and (report.pk, d.pk) not in existing
    ]
    return audit.bulk_create(Outcome, missing, actor=actor, reason="deliverable added")


@transaction.atomic
def report_start(*, actor: User, cycle: ReviewCycle, directorate: Directorate) -> Report:
    """Open (or return the existing) draft report of a unit for a cycle."""
    if not permissions.can_start_report(actor, directorate):
        raise NotAllowed(_("Only the unit's head or editors may write its report."))
    if not cycle.is_open:
        raise InvalidTransition(_("The %(year)s review cycle is closed.") % {"year": cycle.year})
    report = Report.objects.filter(cycle=cycle, directorate=directorate).first()
    if report is None:
        report = Report(cycle=cycle, directorate=directorate)
        audit.attribute(report, actor=actor)
        report.save()
    if report.is_editable:
        _sync_outcomes(report, actor)
    return report


def _claim_for_edit(report: Report, actor: User, expected_version: int | None) -> None:
    """Lock the row and check the report is still editable and unchanged since the form was loaded."""
    if not permissions.can_edit_report(actor, report):
        if not permissions.can_start_report(actor, report.directorate):
            raise NotAllowed(_("Only the unit's head or editors may change its report."))
        raise InvalidTransition(
            _("This report is %(state)s and can no longer be changed.") % {"state": report.get_state_display()}
        )
    claimed = Report.objects.filter(pk=report.pk, state__in=EDITABLE_STATES)
    if expected_version is not None:
        claimed = claimed.filter(version=expected_version)
    if not claimed.update(version=F("version") + 1, updated_at=timezone.now()):
        raise InvalidTransition(_("Someone else changed this report meanwhile. Reload it; your text is kept below."))
    report.refresh_from_db()


def _clean_outcome(outcome: Outcome, data: Mapping[str, Any]) -> FieldErrors:
    """Apply one outcome's data and return its field errors."""
    errors: FieldErrors = {}
    status = data.get("status", outcome.status) or ""
    if status not in Outcome.Status.values:
        errors["status"] = [_("Choose an outcome from the list.")]
    percent = data.get("percent_done", outcome.percent_done)
    if status == Outcome.Status.PARTIAL:
        if percent is None:
            errors["percent_done"] = [_("Give the percentage done for a partly done deliverable.")]
        elif not 0 < percent < 100:
            errors["percent_done"] = [_("A partly done deliverable is between 1 and 99 percent done.")]
    elif status == Outcome.Status.DONE:
        percent = 100
    else:
        percent = None
    if status == Outcome.Status.DROPPED and not (data.get("comment", outcome.comment) or "").strip():
        errors["comment"] = [_("Say why the deliverable was dropped.")]
    outcome.status = status
    outcome.percent_done = percent
    outcome.comment = data.get("comment", outcome.comment) or ""
    outcome.evidence = data.get("evidence", outcome.evidence) or ""
    errors.update(_text_errors(outcome, ("comment", "evidence")))
    return errors


def max_items() -> int:
    return settings.REPORT_MAX_ITEMS


def max_text() -> int:
    return settings.REPORT_MAX_TEXT_CHARS


TITLE_MAX = 300  # Achievement.title's max_length: checked here so PostgreSQL never refuses it (a 500)


def _text_errors(obj: Model, fields: Iterable[str]) -> FieldErrors:
    """Fields longer than the limit (text) or than the title's column; the same rule for web and API."""
    errors: FieldErrors = {}
    for field in fields:
        value = getattr(obj, field, None)
        limit = TITLE_MAX if field == "title" else max_text()
        if isinstance(value, str) and len(value) > limit:
            errors[field] = [
                _("At most %(max)s characters (this one has %(length)s).") % {"max": limit, "length": len(value)}
            ]
    return errors


# What a replaced list of a report's children writes: (new rows, changed rows, removed rows).
ChildRow = Achievement | ReportConstraint
RowChanges = tuple[list[ChildRow], list[ChildRow], list[ChildRow]]
# Per part replaced: (its model, its fields, its RowChanges).
ChildChanges = list[tuple[type[ChildRow], Sequence[str], RowChanges]]


def _replace_children(
    report: Report,
    model: type[Achievement] | type[ReportConstraint],
    items: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    required: Iterable[str],
    errors_key: str,
) -> tuple[dict[str, Any], RowChanges]:
    """Make the report's achievements/constraints equal to ``items`` (dicts, with ``id`` for existing rows).

    Returns ``(errors, (new, changed, removed))``: only rows whose values differ count as changed (nothing
    changes when there are errors).
    """
    if len(items) > max_items():
        # Refused before anything is read: a 20,000-row list costs nothing.
        return {
            errors_key: [
                _("At most %(max)s items in this part of the report (%(count)s sent).")
                % {"max": max_items(), "count": len(items)}
            ]
        }, ([], [], [])
    errors: dict[str, Any] = {}
    current: dict[int, ChildRow] = {obj.pk: obj for obj in model.objects.filter(report=report)}
    keep: set[int] = set()
    new: list[ChildRow] = []
    changed: list[ChildRow] = []
    for index, item in enumerate(items):
        pk: Any = item.get("id")  # as sent: an id of this report's rows, or not
        if pk is not None and pk not in current:
            errors[str(index)] = {"id": [_("Unknown item for this report.")]}
            continue
        obj = current.get(pk) or model(report=report)
        before = [getattr(obj, field) for field in fields]
        for field in fields:
            if field in item:
                setattr(obj, field, item[field] if item[field] is not None else "")
        missing = [field for field in required if not str(getattr(obj, field) or "").strip()]
        if missing:
            errors[str(index)] = {field: [_("This field is required.")] for field in missing}
        if isinstance(obj, ReportConstraint) and obj.category not in ReportConstraint.Category.values:
            errors.setdefault(str(index), {})["category"] = [_("Choose a category from the list.")]
        too_long = _text_errors(obj, fields)
        if too_long:
            errors.setdefault(str(index), {}).update(too_long)
        if pk is None:
            new.append(obj)
        else:
            keep.add(pk)
            if [getattr(obj, field) for field in fields] != before:
                changed.append(obj)
    if errors:
        return {errors_key: errors}, ([], [], [])
    return {}, (new, changed, [obj for pk, obj in current.items() if pk not in keep])


OUTCOME_FIELDS = ("status", "percent_done", "comment", "evidence")


def _write_rows(
    model: type[Outcome] | type[ChildRow],
    fields: Sequence[str],
    new: Sequence[Any],  # rows of ``model``
    changed: Sequence[Any],
    removed: Sequence[Any],
    actor: User,
) -> None:
    """Write a set of rows, each with its history row: new and changed rows in a fixed number of queries
    (core.audit); the few rows a person removed one by one, so that their history rows name who did it."""
    if new:
        audit.bulk_create(model, new, actor=actor)
    if changed:
        model.objects.bulk_update(changed, fields)
        audit.record_update(changed, actor=actor)
    for obj in removed:
        audit.attribute(obj, actor=actor)
        obj.delete()


@transaction.atomic
def report_update(
    *,
    actor: User,
    report: Report,
    expected_version: int | None = None,
    summary: str | None = None,
    outcomes: Mapping[int | str, Mapping[str, Any]] | None = None,
    achievements: Sequence[Mapping[str, Any]] | None = None,
    constraints: Sequence[Mapping[str, Any]] | None = None,
) -> Report:
    """Save the report's content. ``outcomes`` maps deliverable id → fields; lists replace the sets.

    All or nothing: a single invalid field saves nothing and every error is reported. Only the rows
    that change are written, in bulk with their history rows: a fixed number of queries however many
    outcomes, achievements and constraints the report has.
    """
    _claim_for_edit(report, actor, expected_version)
    errors: dict[str, Any] = {}
    changed_outcomes: list[Outcome] = []
    if outcomes:
        by_deliverable = {o.deliverable_id: o for o in report.outcomes.all()}
        outcome_errors: dict[str, Any] = {}
        for deliverable_id, data in outcomes.items():
            outcome = by_deliverable.get(int(deliverable_id))
            if outcome is None:
                outcome_errors[str(deliverable_id)] = {
                    "deliverable": [_("This deliverable is not in the unit's cahier des charges.")]
                }
                continue
            before = [getattr(outcome, field) for field in OUTCOME_FIELDS]
            field_errors = _clean_outcome(outcome, data)
            if field_errors:
                outcome_errors[str(deliverable_id)] = field_errors
            if [getattr(outcome, field) for field in OUTCOME_FIELDS] != before:
                changed_outcomes.append(outcome)
        if outcome_errors:
            errors["outcomes"] = outcome_errors
    child_changes: ChildChanges = []
    if achievements is not None:
        err, change = _replace_children(
            report, Achievement, achievements, ("title", "description"), ("title",), "achievements"
        )
        errors.update(err)
        child_changes.append((Achievement, ("title", "description"), change))
    if constraints is not None:
        fields: Sequence[str] = ("category", "description", "remedy", "needs_action")
        err, change = _replace_children(report, ReportConstraint, constraints, fields, ("description",), "constraints")
        errors.update(err)
        child_changes.append((ReportConstraint, fields, change))
    if summary is not None and len(summary) > max_text():
        errors["summary"] = [
            _("At most %(max)s characters (this one has %(length)s).") % {"max": max_text(), "length": len(summary)}
        ]
    if errors:
        raise ValidationFailed(_("The report was not saved: correct the fields marked below."), errors=errors)
    _refuse_unflagged_changes(report, changed_outcomes, child_changes)

    if summary is not None:
        report.summary = summary
    audit.attribute(report, actor=actor)
    report.save()
    _write_rows(Outcome, OUTCOME_FIELDS, [], changed_outcomes, [], actor)
    for model, fields, (new, changed, removed) in child_changes:
        _write_rows(model, fields, new, changed, removed, actor)
    return report


def open_flags(report: Report) -> dict[str, set[int]]:
    """While ``report`` is returned with flagged items: {kind: {item id}} of the flags not yet resolved.

    Empty when the report is not returned or was returned without flags: then everything is editable.
    """
    if report.state != ReportState.RETURNED:
        return {}
    flags: dict[str, set[int]] = {}
    for kind, item_id in ReviewItem.objects.filter(report=report, resolved_at__isnull=True).values_list(
        "kind", "item_id"
    ):
        flags.setdefault(kind, set()).add(item_id)
    return flags


def _only_flagged_message() -> str:
    return _(
        "The DG's office returned this report with flagged items: only those items and the summary "
        "can be changed until it is resubmitted."
    )


def _refuse_unflagged_changes(report: Report, changed_outcomes: Iterable[Outcome], child_changes: ChildChanges) -> None:
    """While the report is returned with flags, a change to any item that was not flagged is refused (409)."""
    flags = open_flags(report)
    if not flags:
        return
    errors: dict[str, Any] = {}
    for outcome in changed_outcomes:
        if outcome.deliverable_id not in flags.get(ReviewItem.Kind.OUTCOME, set()):
            errors.setdefault("outcomes", {})[str(outcome.deliverable_id)] = {
                "deliverable": [_("This outcome was not flagged by the DG's office.")]
            }
    for model, _fields, (new, changed, removed) in child_changes:
        key, kind = (
            ("achievements", ReviewItem.Kind.ACHIEVEMENT)
            if model is Achievement
            else ("constraints", ReviewItem.Kind.CONSTRAINT)
        )
        flagged = flags.get(kind, set())
        if new:
            errors.setdefault(key, {})["new"] = [_("No item can be added while only flagged items may change.")]
        for obj in changed + removed:
            if obj.pk not in flagged:
                errors.setdefault(key, {})[str(obj.pk)] = [_("This item was not flagged by the DG's office.")]
    if errors:
        raise InvalidTransition(_only_flagged_message(), errors=errors)


def _check_outcome_flagged(outcome: Outcome) -> None:
    flags = open_flags(outcome.report)
    if flags and outcome.deliverable_id not in flags.get(ReviewItem.Kind.OUTCOME, set()):
        raise InvalidTransition(
            _only_flagged_message(), errors={"deliverable": [_("This outcome was not flagged by the DG's office.")]}
        )


@transaction.atomic
def attachment_add(*, actor: User, outcome: Outcome, uploaded_file: File) -> Attachment:
    report = outcome.report
    if not permissions.can_edit_report(actor, report):
        raise NotAllowed(_("Evidence can be added only while the unit's report is being written."))
    _check_outcome_flagged(outcome)
    original_name, stored_name, content_type = check_upload(uploaded_file)
    attachment = Attachment(
        outcome=outcome,
        stored_name=stored_name,
        original_name=original_name,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    attachment.file.save(stored_name, uploaded_file, save=False)
    audit.attribute(attachment, actor=actor)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    if not permissions.can_edit_report(actor, attachment.outcome.report):
        raise NotAllowed(_("Evidence can be removed only while the unit's report is being written."))
    _check_outcome_flagged(attachment.outcome)
    audit.attribute(attachment, actor=actor)
    attachment.delete()  # the file stays on disk: the history row still points to it


# ---------------------------------------------------------------- transitions

# What later stages require of a report before it is submitted (figures: large changes justified).
# reviews does not import them: they register here from their AppConfig.ready(). A check takes the
# report and raises ValidationFailed naming what is missing.
SUBMISSION_CHECKS: list[Callable[[Report], None]] = []


def register_submission_check(check: Callable[[Report], None]) -> None:
    if check not in SUBMISSION_CHECKS:
        SUBMISSION_CHECKS.append(check)


def _announce(events: Iterable[ReportEvent]) -> None:
    ids = [event.pk for event in events]
    transaction.on_commit(lambda: [report_state_changed.send(sender=ReportEvent, event_id=pk) for pk in ids])


REPORT_MACHINE = StateMachine(
    transitions=REPORT_TRANSITIONS,
    event_model=ReportEvent,
    subject="report",
    signal=report_state_changed,
    invalid_message=lambda from_state, to_state: (
        _("A report that is %(state)s cannot be %(target)s.")
        % {"state": ReportState(from_state).label.lower(), "target": ReportState(to_state).label.lower()}
    ),
    stale_message=lambda: _("Someone else changed this report's state meanwhile. Reload it."),
)


def _transition(
    *, actor: User, report: Report, to_state: str, comment: str = "", extra: dict[str, Any] | None = None
) -> Report:
    """The report moves (core.transitions): checked, claimed, its event and history written, announced."""
    report.last_event = move(
        REPORT_MACHINE, instance=report, actor=actor, to_state=to_state, comment=comment, extra=extra
    )
    return report


def _missing_outcomes(report: Report, actor: User) -> list[str]:
    _sync_outcomes(report, actor)
    missing: list[str] = []
    for outcome in report.outcomes.select_related("deliverable"):
        if not outcome.status:
            missing.append(outcome.deliverable.title)
        elif outcome.status == Outcome.Status.PARTIAL and outcome.percent_done is None:
            missing.append(outcome.deliverable.title)
    return missing


@transaction.atomic
def report_submit(*, actor: User, report: Report, comment: str = "") -> Report:
    if not permissions.may_move(actor, report, ReportState.SUBMITTED):
        if report.state in EDITABLE_STATES and report.cycle.is_open:
            raise NotAllowed(_("Only the head of the unit may submit its report."))
        raise InvalidTransition(
            _("A report that is %(state)s cannot be submitted.") % {"state": report.get_state_display().lower()}
        )
    missing = _missing_outcomes(report, actor)
    if missing:
        raise ValidationFailed(
            _("State an outcome for every deliverable before submitting (%(count)s missing).")
            % {"count": len(missing)},
            errors={"outcomes": missing},
        )
    for check in SUBMISSION_CHECKS:
        check(report)
    now = timezone.now()
    extra: dict[str, Any] = {"submitted_at": now}
    if report.first_submitted_at is None:
        extra["first_submitted_at"] = now
        extra["submitted_late"] = report.is_past_deadline(timezone.localdate(now))
    was_returned = report.state == ReportState.RETURNED
    report = _transition(actor=actor, report=report, to_state=ReportState.SUBMITTED, comment=comment, extra=extra)
    if was_returned:
        _resolve_flags(report, actor)
    return report


def _resolve_flags(report: Report, actor: User) -> None:
    """At resubmission each open flag keeps the item as it now is (its "after") and is resolved."""
    items = list(ReviewItem.objects.filter(report=report, resolved_at__isnull=True))
    if not items:
        return
    by_kind: dict[str, set[int]] = {}
    for item in items:
        by_kind.setdefault(item.kind, set()).add(item.item_id)
    current = {kind: report_items.read(report, kind, ids) for kind, ids in by_kind.items()}
    now = timezone.now()
    for item in items:
        found = current[item.kind].get(item.item_id)
        item.after = _jsonable(found[1]) if found else {"_removed": True}
        item.resolved_at, item.resolved_by = now, actor
    ReviewItem.objects.bulk_update(items, ["after", "resolved_at", "resolved_by"])
    audit.record_update(items, actor=actor, reason="resolved: report resubmitted")


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        field: value if value is None or isinstance(value, (bool, int, str)) else str(value)
        for field, value in values.items()
    }


def _check_flags(
    report: Report, items: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[tuple[str, int, str, dict[str, Any], str]]]:
    """Field errors of the items the office flags (kind known, item of this report, comment given, once each).

    Returns ``(errors, rows)`` with rows ``(kind, id, label, before, comment)``. One query per kind flagged.
    """
    errors: dict[str, Any] = {}
    wanted: dict[Any, dict[int, tuple[Any, str]]] = {}  # kind → {index: (id, comment)}, as sent
    for index, item in enumerate(items):
        kind, item_id, text = item.get("kind"), item.get("id"), (item.get("comment") or "").strip()
        problems: FieldErrors = {}
        if kind not in report_items.ITEM_KINDS:
            problems["kind"] = [_("Choose outcome, figure, achievement or constraint.")]
        if not isinstance(item_id, int) or isinstance(item_id, bool):
            problems["id"] = [_("Give the item's id.")]
        if not text:
            problems["comment"] = [_("Say what must be corrected in this item.")]
        elif len(text) > max_text():
            problems["comment"] = [
                _("At most %(max)s characters (this one has %(length)s).") % {"max": max_text(), "length": len(text)}
            ]
        if problems:
            errors[str(index)] = problems
        else:
            wanted.setdefault(kind, {})[index] = (item_id, text)
    rows: list[tuple[int, str, int, str, dict[str, Any], str]] = []
    seen: set[tuple[str, int]] = set()
    for kind, by_index in wanted.items():
        found = report_items.read(report, kind, {item_id for item_id, _text in by_index.values()})
        for index, (item_id, text) in by_index.items():
            if item_id not in found:
                errors[str(index)] = {
                    "id": [
                        _("There is no such %(kind)s in this report.") % {"kind": ReviewItem.Kind(kind).label.lower()}
                    ]
                }
            elif (kind, item_id) in seen:
                errors[str(index)] = {"id": [_("This item is flagged twice.")]}
            else:
                seen.add((kind, item_id))
                label, values = found[item_id]
                rows.append((index, kind, item_id, label, _jsonable(values), text))
    rows.sort()
    return ({"items": errors} if errors else {}), [row[1:] for row in rows]


@transaction.atomic
def report_return(
    *, actor: User, report: Report, comment: str, items: Iterable[Mapping[str, Any]] | None = None
) -> Report:
    """Return the report to the unit with the office's comment and, optionally, flagged items.

    ``items``: [{"kind": "outcome|figure|achievement|constraint", "id": …, "comment": …}], each an item of
    this report (the deliverable's id for an outcome). With flags, only the flagged items and the summary
    can change until the unit resubmits; each flag keeps the item as it was, to show what changed.
    """
    if not permissions.can_review(actor):
        raise NotAllowed(_("Only the DG's office may return a report."))
    errors: dict[str, Any] = {}
    if not (comment or "").strip():
        errors["comment"] = [_("A comment is required to return a report.")]
    flag_errors, rows = _check_flags(report, items or [])
    errors.update(flag_errors)
    if errors:
        raise ValidationFailed(_("Say what must be corrected."), errors=errors)
    if not permissions.may_move(actor, report, ReportState.RETURNED):
        raise InvalidTransition(
            _("A report that is %(state)s cannot be returned.") % {"state": report.get_state_display().lower()}
        )
    report = _transition(actor=actor, report=report, to_state=ReportState.RETURNED, comment=comment.strip())
    audit.bulk_create(
        ReviewItem,
        [
            ReviewItem(
                report=report,
                return_event=report.last_event,
                kind=kind,
                item_id=item_id,
                label=label[:300],
                comment=text,
                before=before,
                flagged_by=actor,
                created_at=report.last_event.created_at,
            )
            for kind, item_id, label, before, text in rows
        ],
        actor=actor,
        reason="flagged on return",
    )
    return report


@transaction.atomic
def review_item_comment(*, actor: User, item: ReviewItem, text: str | None) -> ReviewItemComment:
    """Add a message to a flagged item's thread: the unit answers the office, the office answers back."""
    report = item.report
    if not permissions.is_thread_party(actor, report):
        raise NotAllowed(_("Only the unit's people and the DG's office may discuss this item."))
    if not permissions.can_discuss_item(actor, report):
        raise InvalidTransition(_("This report's review is over: its flagged items can no longer be discussed."))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("The comment was not added."), errors={"text": [_("Write your comment.")]})
    if len(text) > max_text():
        raise ValidationFailed(
            _("The comment was not added."),
            errors={
                "text": [
                    _("At most %(max)s characters (this one has %(length)s).")
                    % {"max": max_text(), "length": len(text)}
                ]
            },
        )
    comment = ReviewItemComment.objects.create(item=item, author=actor, text=text)
    transaction.on_commit(lambda: review_item_commented.send(sender=ReviewItemComment, comment_id=comment.pk))
    return comment


@transaction.atomic
def report_accept(*, actor: User, report: Report, comment: str = "") -> Report:
    if not permissions.can_review(actor):
        raise NotAllowed(_("Only the DG's office may accept a report."))
    if not permissions.may_move(actor, report, ReportState.ACCEPTED):
        raise InvalidTransition(
            _("A report that is %(state)s cannot be accepted.") % {"state": report.get_state_display().lower()}
        )
    return _transition(actor=actor, report=report, to_state=ReportState.ACCEPTED, comment=comment)


@transaction.atomic
def report_mark_ready(*, actor: User, report: Report, comment: str | None = "") -> Report:
    """An editor tells the unit's head the report is ready to be submitted.

    Not a state change: an event whose old and new states are the report's state, so it joins the review
    trail and is announced like the transitions (the head gets a notice)."""
    if not permissions.can_edit_report(actor, report):
        raise NotAllowed(_("Only the unit's editors may say that its report is ready, while it can be changed."))
    event = ReportEvent.objects.create(
        report=report,
        old_state=report.state,
        new_state=report.state,
        actor=actor,
        comment=(comment or "").strip(),
        created_at=timezone.now(),
    )
    _announce([event])
    return report


@transaction.atomic
def report_extend_deadline(
    *,
    actor: User,
    report: Report,
    until: datetime.date | None,
    reason: str,
    today: datetime.date | None = None,
) -> DeadlineExtension:
    """Give one unit's report a later submission date, with the reason, before it is submitted.

    The report then is not late before that date, and reminders and the dashboard follow it.
    Each extension is kept (who, when, from which date to which, why) and in the report's history.
    """
    if not permissions.can_review(actor):
        raise NotAllowed(_("Only the DG's office may extend a unit's deadline."))
    errors: FieldErrors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the deadline is extended.")]
    previous = report.deadline
    cycle = report.cycle
    today = today or timezone.localdate()
    if until is None:
        errors["until"] = [_("Give the new deadline.")]
    elif until <= previous:
        errors["until"] = [
            _("The new deadline must come after the current one (%(date)s).")
            % {"date": formats.date_format(previous, "DATE_FORMAT")}
        ]
    elif until < today:
        errors["until"] = [_("The new deadline cannot be in the past.")]
    elif until > cycle.meeting_date:
        errors["until"] = [
            _("The new deadline must come before the meeting (%(date)s).")
            % {"date": formats.date_format(cycle.meeting_date, "DATE_FORMAT")}
        ]
    if errors or until is None:  # (a missing date is among the errors)
        raise ValidationFailed(_("The deadline was not extended."), errors=errors)
    if not cycle.is_open or report.state not in EDITABLE_STATES:
        raise InvalidTransition(
            _("A report that is %(state)s has no deadline left to extend.")
            % {"state": report.get_state_display().lower()}
        )
    claimed = Report.objects.filter(pk=report.pk, state__in=EDITABLE_STATES, version=report.version).update(
        extended_until=until, version=F("version") + 1, updated_at=timezone.now()
    )
    if not claimed:
        raise InvalidTransition(_("Someone else changed this report meanwhile. Reload it."))
    report.refresh_from_db()
    extension = DeadlineExtension.objects.create(
        report=report, previous_deadline=previous, until=until, reason=reason.strip(), granted_by=actor
    )
    audit.record_update([report], actor=actor, reason=reason.strip())
    transaction.on_commit(lambda: deadline_extended.send(sender=DeadlineExtension, extension_id=extension.pk))
    return extension


def guard_deliverable_changes(*, pairs: Iterable[tuple[Directorate, int]]) -> dict[tuple[int, int], DomainError]:
    """A unit's cahier des charges is frozen once its report has been submitted.

    ``pairs`` are (unit, year); returns {(unit id, year): InvalidTransition} for the frozen ones, read
    in one query however many pairs (an import checks every unit and year of its file at once).
    """
    keys = {(directorate.pk, year) for directorate, year in pairs}
    if not keys:
        return {}
    frozen = (
        Report.objects.filter(directorate_id__in={d for d, _y in keys}, cycle__year__in={y for _d, y in keys})
        .exclude(state__in=EDITABLE_STATES)
        .values_list("directorate_id", "cycle__year", "state")
    )
    return {
        (directorate_id, year): InvalidTransition(
            _("The %(year)s report of this unit is %(state)s: its cahier des charges can no longer change.")
            % {"year": year, "state": ReportState(state).label.lower()}
        )
        for directorate_id, year, state in frozen
        if (directorate_id, year) in keys
    }
