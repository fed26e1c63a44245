"""Web pages of the annual review. Thin: parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from core.filters import BadFilter, valid_filters
from core.history import HISTORY_PAGE_SIZE, Timeline
from directorates.models import Directorate
from directorates.permissions import visible_directorates
from reviews import items as report_items
from reviews import permissions, selectors, services
from reviews.filters import ReportFilter
from reviews.forms import (
    AchievementFormSet,
    CommentForm,
    ConstraintFormSet,
    DashboardFilterForm,
    ExtensionForm,
    FlaggedAchievementFormSet,
    FlaggedConstraintFormSet,
    ItemCommentForm,
    OutcomeFormSet,
    ReportSummaryForm,
)
from reviews.models import (
    Achievement,
    Attachment,
    Outcome,
    Report,
    ReportConstraint,
    ReportState,
    ReviewCycle,
    ReviewItem,
)

DASHBOARD_PAGE = 100
REPORTS_PAGE = 100


@login_required
def report_list(request):
    cycle = selectors.current_cycle()
    reports = valid_filters(ReportFilter, request.GET, queryset=selectors.report_list(user=request.user)).qs
    page = Paginator(reports, REPORTS_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    startable = []
    if cycle and cycle.is_open:
        startable = [
            d
            for d in selectors.units_without_report(user=request.user, cycle=cycle)
            if permissions.can_start_report(request.user, d)
        ]
    return render(
        request,
        "reviews/report_list.html",
        {
            "reports": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "cycle": cycle,
            "startable": startable,
            "years": selectors.cycle_list().values_list("year", flat=True),
        },
    )


@login_required
@require_POST
def report_start(request, code, year):
    directorate = get_object_or_404(visible_directorates(request.user), code=code)
    cycle = get_object_or_404(ReviewCycle, year=year)
    try:
        report = services.report_start(actor=request.user, cycle=cycle, directorate=directorate)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reviews:report_list")
    return redirect("reviews:report_edit", pk=report.pk)


def _get_report(request, pk):
    return get_object_or_404(selectors.report_detail_queryset(user=request.user), pk=pk)


@login_required
def report_detail(request, pk, extension_form=None):
    report = _get_report(request, pk)
    transitions = permissions.available_transitions(request.user, report)
    can_edit = permissions.can_edit_report(request.user, report)
    if extension_form is None and permissions.can_extend_deadline(request.user, report):
        extension_form = ExtensionForm()
    flags = selectors.review_items_by_kind(report, latest_only=True)
    flaggable = []
    if ReportState.RETURNED in transitions:
        # The checklist the office ticks to flag items when it returns the report: one query per kind.
        flaggable = [
            (kind, label, sorted(report_items.read(report, kind).items(), key=lambda pair: pair[1][0]))
            for kind, label in ReviewItem.Kind.choices
        ]
    changes = []
    if report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.LOCKED):
        changes = [
            (flag, report_items.compare(flag))
            for by_id in flags.values()
            for flag in by_id.values()
            if flag.after is not None
        ]
        changes.sort(key=lambda pair: pair[0].pk)
    return render(
        request,
        "reviews/report_detail.html",
        {
            "report": report,
            "flags": flags,
            "flag_list": sorted((flag for by_id in flags.values() for flag in by_id.values()), key=lambda f: f.pk),
            "flaggable": flaggable,
            "changes": changes,
            "can_discuss": permissions.can_discuss_item(request.user, report),
            "item_comment_form": ItemCommentForm(),
            "can_edit": can_edit,
            "transitions": transitions,
            "can_mark_ready": can_edit and ReportState.SUBMITTED not in transitions,
            "comment_form": CommentForm(),
            "extension_form": extension_form,
            "can_see_history": permissions.can_see_history(request.user),
        },
    )


@login_required
@require_POST
def report_extend(request, pk):
    report = _get_report(request, pk)
    if not permissions.can_review(request.user):
        raise PermissionDenied
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.report_extend_deadline(actor=request.user, report=report, **form.cleaned_data)
        except ValidationFailed as error:
            for field, field_messages in error.errors.items():
                form.add_error(field if field in form.fields else None, field_messages)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("reviews:report_detail", pk=report.pk)
        else:
            messages.success(request, _("Deadline extended; the unit is told."))
            return redirect("reviews:report_detail", pk=report.pk)
    messages.error(request, _("The deadline was not extended."))
    return report_detail(request, pk, extension_form=form)


def _outcome_initial(outcomes):
    return [
        {
            "deliverable": o.deliverable_id,
            "status": o.status,
            "percent_done": o.percent_done,
            "comment": o.comment,
            "evidence": o.evidence,
        }
        for o in outcomes
    ]


def _children_from(formset, fields):
    """Turn a formset into the list the service expects, remembering which form each item came from."""
    items, positions = [], []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if not data.get("id") and not any(data.get(f) for f in fields if f != "needs_action"):
            continue
        item = {f: data.get(f) for f in fields}
        if data.get("id"):
            item["id"] = data["id"]
        items.append(item)
        positions.append(index)
    return items, positions


def _apply_errors(error, outcome_forms, ach_fs, ach_pos, con_fs, con_pos):
    """Put a service's field errors next to the fields they are about."""
    by_deliverable = {str(f.cleaned_data.get("deliverable")): f for f in outcome_forms}
    outcome_errors = error.errors.get("outcomes")
    if isinstance(outcome_errors, dict):
        for key, fields in outcome_errors.items():
            form = by_deliverable.get(str(key))
            if form is not None:
                for field, field_messages in fields.items():
                    form.add_error(field if field in form.fields else None, field_messages)
    for key, formset, positions in (("achievements", ach_fs, ach_pos), ("constraints", con_fs, con_pos)):
        for index, fields in (error.errors.get(key) or {}).items():
            form = formset.forms[positions[int(index)]]
            for field, field_messages in fields.items():
                form.add_error(field if field in form.fields else None, field_messages)


def _lock_unflagged(flags, outcome_fs, ach_fs, con_fs):
    """While the report is returned with flags, the forms of the items not flagged are disabled."""
    if not flags:
        return
    for formset, kind, key in (
        (outcome_fs, ReviewItem.Kind.OUTCOME, "deliverable"),
        (ach_fs, ReviewItem.Kind.ACHIEVEMENT, "id"),
        (con_fs, ReviewItem.Kind.CONSTRAINT, "id"),
    ):
        flagged = flags.get(kind, {})
        for form in formset.forms:
            if form.initial.get(key) not in flagged:
                form.locked = True
                for field in form.fields.values():
                    field.disabled = True


def _rows(formset, flagged):
    return [
        {"form": form, "flag": flagged.get(form.initial.get("id")), "locked": getattr(form, "locked", False)}
        for form in formset.forms
    ]


@login_required
def report_edit(request, pk):
    report = _get_report(request, pk)
    # The page's script saves the draft in the background (static/js/app.js, "autosave"): same form,
    # same service and version check, answered in JSON.
    autosave = request.method == "POST" and request.headers.get("X-Autosave") == "1"
    if not permissions.can_edit_report(request.user, report):
        if not permissions.can_start_report(request.user, report.directorate):
            raise PermissionDenied
        if autosave:
            return JsonResponse(
                {
                    "detail": _("This report is %(state)s: it can no longer be changed.")
                    % {"state": report.get_state_display().lower()},
                    "conflict": True,
                },
                status=409,
            )
        messages.warning(
            request,
            _("This report is %(state)s: it can no longer be changed.") % {"state": report.get_state_display().lower()},
        )
        return redirect("reviews:report_detail", pk=report.pk)
    outcomes = list(report.outcomes.all())
    achievements = list(report.achievements.all())
    constraints = list(report.constraints.all())
    flags = selectors.review_items_by_kind(report)  # open flags: only these items (and the summary) may change
    ach_initial = [{"id": a.pk, "title": a.title, "description": a.description} for a in achievements]
    con_initial = [
        {
            "id": c.pk,
            "category": c.category,
            "description": c.description,
            "remedy": c.remedy,
            "needs_action": c.needs_action,
        }
        for c in constraints
    ]
    ach_class, con_class = (
        (FlaggedAchievementFormSet, FlaggedConstraintFormSet) if flags else (AchievementFormSet, ConstraintFormSet)
    )
    if request.method == "POST":
        summary_form = ReportSummaryForm(request.POST)
        outcome_fs = OutcomeFormSet(request.POST, request.FILES, prefix="outcomes", initial=_outcome_initial(outcomes))
        if flags:
            # Unflagged items are shown disabled: their values come from the report, not from the browser.
            ach_fs = ach_class(request.POST, prefix="achievements", initial=ach_initial)
            con_fs = con_class(request.POST, prefix="constraints", initial=con_initial)
        else:
            ach_fs = ach_class(request.POST, prefix="achievements")
            con_fs = con_class(request.POST, prefix="constraints")
        _lock_unflagged(flags, outcome_fs, ach_fs, con_fs)
        if all(f.is_valid() for f in (summary_form, outcome_fs, ach_fs, con_fs)):
            ach_items, ach_pos = _children_from(ach_fs, ("title", "description"))
            con_items, con_pos = _children_from(con_fs, ("category", "description", "remedy", "needs_action"))
            outcome_data = {
                f.cleaned_data["deliverable"]: {
                    k: f.cleaned_data.get(k) for k in ("status", "percent_done", "comment", "evidence")
                }
                for f in outcome_fs.forms
            }
            try:
                with transaction.atomic():
                    services.report_update(
                        actor=request.user,
                        report=report,
                        expected_version=summary_form.cleaned_data["version"],
                        summary=summary_form.cleaned_data["summary"],
                        outcomes=outcome_data,
                        achievements=ach_items,
                        constraints=con_items,
                    )
                    by_deliverable = {o.deliverable_id: o for o in outcomes}
                    for form in outcome_fs.forms:
                        upload = form.cleaned_data.get("file")
                        if upload:
                            try:
                                services.attachment_add(
                                    actor=request.user,
                                    uploaded_file=upload,
                                    outcome=by_deliverable[form.cleaned_data["deliverable"]],
                                )
                            except ValidationFailed as error:
                                form.add_error("file", error.message)
                                raise
            except DomainError as error:
                if autosave:
                    return _autosave_refused(error)
                if isinstance(error, ValidationFailed) and not error.errors.get("file"):
                    _apply_errors(error, outcome_fs.forms, ach_fs, ach_pos, con_fs, con_pos)
                    for message in error.errors.get("summary", []):
                        summary_form.add_error("summary", message)
                messages.error(request, error.message)
                if any(f.cleaned_data.get("file") for f in outcome_fs.forms if hasattr(f, "cleaned_data")):
                    messages.warning(request, _("Nothing was saved: attach your files again before saving."))
            else:
                if autosave:
                    return _autosaved(
                        report,
                        (
                            (Achievement, "achievements", ach_items, ach_pos),
                            (ReportConstraint, "constraints", con_items, con_pos),
                        ),
                    )
                messages.success(request, _("Report saved."))
                if "save_and_view" in request.POST:
                    return redirect("reviews:report_detail", pk=report.pk)
                return redirect("reviews:report_edit", pk=report.pk)
        else:
            if autosave:
                return JsonResponse(
                    {"detail": _("The report was not saved: correct the fields marked below.")}, status=400
                )
            messages.error(request, _("The report was not saved: correct the fields marked below."))
    else:
        summary_form = ReportSummaryForm(initial={"version": report.version, "summary": report.summary})
        outcome_fs = OutcomeFormSet(prefix="outcomes", initial=_outcome_initial(outcomes))
        ach_fs = ach_class(prefix="achievements", initial=ach_initial)
        con_fs = con_class(prefix="constraints", initial=con_initial)
        _lock_unflagged(flags, outcome_fs, ach_fs, con_fs)
    outcome_by_deliverable = {o.deliverable_id: o for o in outcomes}
    outcome_rows = []
    for form in outcome_fs.forms:
        deliverable_id = form.initial.get("deliverable")
        outcome_rows.append(
            {
                "form": form,
                "outcome": outcome_by_deliverable.get(deliverable_id),
                "flag": flags.get(ReviewItem.Kind.OUTCOME, {}).get(deliverable_id),
                "locked": getattr(form, "locked", False),
            }
        )
    return render(
        request,
        "reviews/report_edit.html",
        {
            "report": report,
            "flags": flags,
            "flag_list": sorted((flag for by_id in flags.values() for flag in by_id.values()), key=lambda f: f.pk),
            "ach_rows": _rows(ach_fs, flags.get(ReviewItem.Kind.ACHIEVEMENT, {})),
            "con_rows": _rows(con_fs, flags.get(ReviewItem.Kind.CONSTRAINT, {})),
            "summary_form": summary_form,
            "outcome_fs": outcome_fs,
            "outcome_rows": outcome_rows,
            "ach_fs": ach_fs,
            "con_fs": con_fs,
            "can_submit": ReportState.SUBMITTED in permissions.available_transitions(request.user, report),
        },
    )


def _autosaved(report, children):
    """The background save's answer: the new version, and the ids given to rows added in the page (by form
    index) so that the next save updates them instead of adding them again."""
    ids = {}
    for model, prefix, items, positions in children:
        known = [item["id"] for item in items if item.get("id")]
        fresh = model.objects.filter(report=report).exclude(pk__in=known).order_by("pk").values_list("pk", flat=True)
        added = [position for item, position in zip(items, positions, strict=True) if not item.get("id")]
        ids[prefix] = {str(position): pk for position, pk in zip(added, fresh, strict=False)}
    return JsonResponse(
        {
            "version": report.version,
            "ids": ids,
            "detail": _("Draft saved at %(time)s.") % {"time": date_format(timezone.localtime(), "TIME_FORMAT")},
        }
    )


def _autosave_refused(error):
    """Nothing was saved; a changed version (someone else saved meanwhile) stops the background saves and the
    page keeps what was typed (409); invalid content waits for the person to correct it (400)."""
    conflict = isinstance(error, InvalidTransition)
    return JsonResponse({"detail": error.message, "conflict": conflict}, status=409 if conflict else 400)


TRANSITION_SERVICES = {
    "submit": services.report_submit,
    "return": services.report_return,
    "accept": services.report_accept,
    "ready": services.report_mark_ready,
}


@login_required
@require_POST
def report_transition(request, pk, action):
    report = _get_report(request, pk)
    service = TRANSITION_SERVICES.get(action)
    if service is None:
        raise Http404
    form = CommentForm(request.POST)
    form.is_valid()
    extra = {"items": _flagged_items(request.POST)} if action == "return" else {}
    try:
        service(actor=request.user, report=report, comment=form.cleaned_data.get("comment", ""), **extra)
    except DomainError as error:
        messages.error(request, error.message)
        for index, fields in (error.errors.get("items") or {}).items():
            item = extra["items"][int(index)]
            for field_messages in fields.values():
                for message in field_messages:
                    kind = ReviewItem.Kind(item["kind"]).label if item["kind"] in ReviewItem.Kind.values else "?"
                    messages.info(request, f"{kind} {item['id'] or ''}: {message}")
        if isinstance(error.errors.get("outcomes"), list):
            for title in error.errors["outcomes"][:10]:
                messages.info(request, _("Missing outcome: %(title)s") % {"title": title})
        for problem in error.errors.get("figures", [])[:10]:
            messages.info(request, problem)
    else:
        done = {
            "submit": _("Report submitted to the DG's office."),
            "return": _("Report returned to the unit."),
            "accept": _("Report accepted."),
            "ready": _("The head of the unit was told the report is ready."),
        }
        messages.success(request, done[action])
    return redirect("reviews:report_detail", pk=report.pk)


def _flagged_items(data):
    """The items ticked on the return form (``flag`` = "kind:id"), each with its comment; the service checks them."""
    items = []
    for value in data.getlist("flag")[:1000]:
        kind, _sep, item_id = value.partition(":")
        items.append(
            {
                "kind": kind,
                "id": int(item_id) if item_id.isdigit() and len(item_id) < 19 else None,
                "comment": data.get(f"flag-comment-{kind}-{item_id}", ""),
            }
        )
    return items


@login_required
@require_POST
def review_item_comment(request, pk, flag):
    """Add a message to a flagged item's thread, from the report's page or its edit page."""
    report = _get_report(request, pk)
    item = get_object_or_404(ReviewItem, pk=flag, report=report)
    item.report = report
    if not permissions.is_thread_party(request.user, report):
        raise PermissionDenied
    form = ItemCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment was not added."))
    else:
        try:
            services.review_item_comment(actor=request.user, item=item, text=form.cleaned_data["text"])
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise PermissionDenied from None
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your comment was added to the thread."))
    target = (
        "reviews:report_edit"
        if form.data.get("back") == "edit" and permissions.can_edit_report(request.user, report)
        else "reviews:report_detail"
    )
    return redirect(reverse(target, args=[report.pk]) + f"#flag-{item.pk}")


def _history_label(row, report):
    """What a history row is about: an outcome names its deliverable, an attachment its file."""
    if getattr(row, "deliverable_id", None):
        return row.deliverable.title
    return (
        getattr(row, "title", None) or getattr(row, "original_name", None) or getattr(row, "label", None) or str(report)
    )


@login_required
def report_history(request, pk):
    report = _get_report(request, pk)
    if not permissions.can_see_history(request.user):
        raise PermissionDenied
    page = Paginator(
        Timeline(
            Report.history.filter(id=report.pk),
            Outcome.history.filter(report_id=report.pk).select_related("deliverable"),
            Achievement.history.filter(report_id=report.pk),
            ReportConstraint.history.filter(report_id=report.pk),
            Attachment.history.filter(outcome__report_id=report.pk),
            ReviewItem.history.filter(report_id=report.pk),
            label=lambda row: _history_label(row, report),
        ),
        HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "reviews/report_history.html", {"report": report, "entries": page.object_list, "page": page})


@login_required
def attachment_download(request, pk):
    attachment = selectors.attachment_for_user(user=request.user, pk=pk)
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = selectors.attachment_for_user(user=request.user, pk=pk)
    if attachment is None:
        raise Http404
    report_pk = attachment.outcome.report_id
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("reviews:report_edit", pk=report_pk)


@login_required
def cycle_dashboard(request, year):
    if not request.user.sees_everything:
        raise PermissionDenied
    cycle = get_object_or_404(ReviewCycle, year=year)
    regions = list(Directorate.objects.filter(kind=Directorate.Kind.SECURITY_PREFECTURE).order_by("code"))
    form = DashboardFilterForm(request.GET or None, kinds=Directorate.Kind.choices, regions=regions)
    kind = region = None
    if form.is_bound and not form.is_valid():
        raise BadFilter(form.errors)
    if form.is_valid():
        kind = form.cleaned_data["kind"] or None
        region = next((r for r in regions if r.code == form.cleaned_data["region"]), None)
    units = selectors.dashboard_units(kind=kind, region=region)
    page = Paginator(units, DASHBOARD_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/dashboard.html",
        {
            "cycle": cycle,
            "rows": selectors.cycle_dashboard(cycle=cycle, units=page.object_list),
            "page": page,
            "query": query.urlencode(),
            "totals": selectors.dashboard_totals(cycle=cycle, units=units),
            "form": form,
            "cycles": selectors.cycle_list(),
        },
    )
