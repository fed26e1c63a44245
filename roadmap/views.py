"""Web pages of the meeting, the priorities and the roadmap. Thin: parse, call a selector or a service, render."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.errors import DomainError, ValidationFailed
from core.filters import BadFilter, valid_filters
from core.pagination import DeferredJoinPaginator
from reviews.forms import CommentForm
from roadmap import permissions, selectors, services
from roadmap.api import _diff_pair
from roadmap.filters import DiffFilter, ObjectiveFilter
from roadmap.forms import (
    AgendaMoveForm,
    AttendanceForm,
    DropForm,
    InviteForm,
    MeetingForm,
    MergeForm,
    MilestoneFormSet,
    ObjectiveForm,
    PriorityForm,
    PriorityPickForm,
    ProgressForm,
    RoadmapFilterForm,
    SplitForm,
)
from roadmap.models import AgendaItem, Meeting, Objective, Priority, Roadmap


def _valid_or_400(form):
    if not form.is_valid():
        raise BadFilter(form.errors)
    return form


def _apply_errors(form, error):
    for field, field_messages in (error.errors or {}).items():
        if field in form.fields and isinstance(field_messages, list):
            form.add_error(field, field_messages)


# ---------------------------------------------------------------- the roadmap

OBJECTIVES_PER_PAGE = 50
UNITS_PER_PAGE = 50


@login_required
def roadmap_detail(request, year):
    """The national view (DG's office, DG) or a unit's own objectives, with filters and the actions that apply."""
    roadmap = selectors.roadmap_for_year(year)
    cycle = selectors.cycle_for_year(year - 1)
    if roadmap is None and cycle is None:
        raise Http404
    user = request.user
    priorities = list(selectors.priority_list(year=year - 1))
    units = list(selectors.roadmap_units(user=user, year=year))
    filters = valid_filters(ObjectiveFilter, request.GET)
    form = RoadmapFilterForm(request.GET or None, priorities=priorities, units=units)
    form.is_valid()  # shows the choices made; ObjectiveFilter has refused bad values already (400)
    objectives = (
        selectors.objective_list(user=user, year=year, **filters.selector_kwargs())
        if roadmap
        else Objective.objects.none()
    )
    set_aside = []
    if roadmap and user.sees_everything:
        set_aside = selectors.objectives_set_aside(roadmap)
    # National scale: the database counts by unit and by priority; the tables show a page at a time.
    summary = selectors.tracking_summary(objectives, filters.selector_kwargs()["as_of"]) if roadmap else None
    page = DeferredJoinPaginator(objectives, OBJECTIVES_PER_PAGE).get_page(request.GET.get("page"))
    unit_page = Paginator(summary["by_unit"] if summary else [], UNITS_PER_PAGE).get_page(request.GET.get("units_page"))
    query = request.GET.copy()
    query.pop("page", None)
    unit_query = request.GET.copy()
    unit_query.pop("units_page", None)
    events = list(selectors.roadmap_events(roadmap)) if roadmap and permissions.can_read_drafts(user) else []
    approval_refused = None
    if roadmap and roadmap.state == "proposed" and permissions.can_approve(user):
        approval_refused = permissions.approval_problem(user, roadmap)  # four eyes: say why there is no button
    return render(
        request,
        "roadmap/roadmap_detail.html",
        {
            "year": year,
            "cycle": cycle,
            "roadmap": roadmap,
            "objectives": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "unit_page": unit_page,
            "unit_query": unit_query.urlencode(),
            "summary": summary,
            "set_aside": set_aside,
            "form": form,
            "actions": permissions.available_actions(user, roadmap) if cycle else [],
            "can_edit": roadmap is not None and roadmap.is_editable and permissions.can_prepare(user),
            # State changes carry the comments on drafts: the office's and the approvers' (docs/roadmap.md).
            "events": events,
            "versions": selectors.versions(roadmap) if roadmap and permissions.can_read_drafts(user) else [],
            "current_version": selectors.current_version_trail(roadmap, events),
            "approval_refused": approval_refused,
            "national": user.sees_everything,
            "comment_form": CommentForm(),
        },
    )


ROADMAP_ACTIONS: dict[str, tuple[Callable[..., object], Promise]] = {
    "propose": (services.roadmap_propose, gettext_lazy("Roadmap proposed for approval: the approvers are notified.")),
    "approve": (
        services.roadmap_approve,
        gettext_lazy("Roadmap approved: each unit's objectives are now its cahier des charges."),
    ),
    "return": (services.roadmap_return, gettext_lazy("Roadmap sent back: whoever proposed it is notified.")),
    "new_version": (services.roadmap_new_version, gettext_lazy("A new draft version was started.")),
}


@login_required
@require_POST
def roadmap_action(request, year, action):
    if action == "compile":
        cycle = selectors.cycle_for_year(year - 1)
        if cycle is None:
            raise Http404
        try:
            _roadmap, created = services.roadmap_compile(actor=request.user, cycle=cycle)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                ngettext("Roadmap compiled: %(n)s new objective.", "Roadmap compiled: %(n)s new objectives.", created)
                % {"n": created},
            )
        return redirect("roadmap:detail", year=year)
    if action not in ROADMAP_ACTIONS:
        raise Http404
    roadmap = get_object_or_404(Roadmap, year=year)
    service, done = ROADMAP_ACTIONS[action]
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        service(actor=request.user, roadmap=roadmap, comment=form.cleaned_data.get("comment", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("roadmap:detail", year=year)


@login_required
def roadmap_diff(request, year):
    if not permissions.can_read_drafts(request.user):
        raise PermissionDenied
    versions = valid_filters(DiffFilter, request.GET).form.cleaned_data
    roadmap = get_object_or_404(Roadmap.objects.prefetch_related("versions"), year=year)
    old, new = _diff_pair(roadmap, versions.get("from"), versions.get("to"))
    return render(
        request,
        "roadmap/roadmap_diff.html",
        {
            "roadmap": roadmap,
            "old": old,
            "new": new,
            "diff": services.snapshot_diff(old, new) if old else None,
            "versions": selectors.versions(roadmap),
        },
    )


def _milestone_items(formset):
    items = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if not data.get("id") and not data.get("title"):
            continue
        item = {
            "title": data.get("title") or "",
            "quarter": data.get("quarter"),
            "due_date": data.get("due_date"),
            "target_value": data.get("target_value"),
        }
        if data.get("id"):
            item["id"] = data["id"]
        items.append(item)
    return items


def _objective_page(request, roadmap, objective=None):
    if not permissions.can_prepare(request.user):
        raise PermissionDenied
    priorities = Priority.objects.filter(cycle_id=roadmap.cycle_id).order_by("code")
    milestones = list(objective.milestones.all()) if objective else []
    if request.method == "POST":
        form = ObjectiveForm(request.POST, priorities=priorities)
        formset = MilestoneFormSet(request.POST, prefix="milestones")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                with transaction.atomic():
                    if objective is None:
                        objective = services.objective_create(
                            actor=request.user, roadmap=roadmap, milestones=_milestone_items(formset), **data
                        )
                    else:
                        services.objective_update(
                            actor=request.user, objective=objective, milestones=_milestone_items(formset), **data
                        )
            except DomainError as error:
                _apply_errors(form, error)
                for index, fields in ((error.errors or {}).get("milestones") or {}).items():
                    if index.isdigit():
                        for field, msgs in fields.items():
                            target = formset.forms[int(index)] if int(index) < len(formset.forms) else None
                            if target is not None:
                                target.add_error(field if field in target.fields else None, msgs)
                    else:
                        messages.error(request, "; ".join(str(m) for msgs in fields.values() for m in msgs))
                messages.error(request, error.message)
            else:
                messages.success(request, _("Objective saved."))
                return redirect("roadmap:objective_edit", pk=objective.pk)
    else:
        initial = {}
        if objective is not None:
            initial = {f: getattr(objective, f) for f in services.OBJECTIVE_FIELDS}
        form = ObjectiveForm(initial=initial, priorities=priorities)
        formset = MilestoneFormSet(
            prefix="milestones",
            initial=[
                {
                    "id": m.pk,
                    "title": m.title,
                    "quarter": m.quarter,
                    "due_date": m.due_date,
                    "target_value": m.target_value,
                }
                for m in milestones
            ],
        )
    if not roadmap.is_editable:  # shown read-only: changes need a new draft version
        for f in [form, *formset.forms]:
            for field in f.fields.values():
                field.disabled = True
    return render(
        request,
        "roadmap/objective_edit.html",
        {
            "roadmap": roadmap,
            "objective": objective,
            "form": form,
            "formset": formset,
            "drop_form": DropForm(),
            "merge_form": MergeForm(),
            "split_form": SplitForm(),
            "editable": roadmap.is_editable,
        },
    )


@login_required
def objective_new(request, year):
    roadmap = get_object_or_404(Roadmap, year=year)
    return _objective_page(request, roadmap)


@login_required
def objective_edit(request, pk):
    objective = get_object_or_404(selectors.objective_by_id(user=request.user, pk=pk))
    if not permissions.can_prepare(request.user):
        return redirect("roadmap:objective_detail", pk=pk)
    return _objective_page(request, objective.roadmap, objective)


@login_required
def objective_detail(request, pk):
    objective = get_object_or_404(selectors.objective_by_id(user=request.user, pk=pk))
    rows = [{"milestone": m, "latest": m.latest_value, "status": m.status} for m in objective.milestones.all()]
    return render(
        request,
        "roadmap/objective_detail.html",
        {
            "objective": objective,
            "rows": rows,
            "can_record": permissions.can_record_progress(request.user, objective) and objective.roadmap.is_in_force,
            "can_edit": permissions.can_prepare(request.user),
        },
    )


@login_required
@require_POST
def objective_action(request, pk, action):
    objective = get_object_or_404(selectors.objective_by_id(user=request.user, pk=pk))
    try:
        if action == "drop":
            form = DropForm(request.POST)
            services.objective_drop(actor=request.user, objective=objective, reason=form.data.get("reason", ""))
            messages.success(request, _("Objective dropped."))
        elif action == "restore":
            services.objective_restore(actor=request.user, objective=objective)
            messages.success(request, _("Objective restored."))
        elif action == "merge":
            refs = [r.strip() for r in request.POST.get("refs", "").replace(";", ",").split(",") if r.strip()]
            others = list(
                Objective.objects.filter(roadmap=objective.roadmap, is_draft=objective.is_draft, ref__in=refs)
            )
            if len(others) != len(set(refs)):
                raise ValidationFailed(_("Some references are not objectives of this roadmap."))
            services.objective_merge(actor=request.user, into=objective, others=others)
            messages.success(request, _("Objectives merged."))
        elif action == "split":
            parts = services.objective_split(
                actor=request.user, objective=objective, titles=request.POST.get("titles", "").splitlines()
            )
            messages.success(request, _("Objective split into %(n)s.") % {"n": len(parts)})
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
        for field_messages in (error.errors or {}).values():
            if isinstance(field_messages, list):
                for message in field_messages:
                    messages.error(request, message)
    return redirect("roadmap:objective_edit", pk=pk)


@login_required
def milestone_progress(request, pk):
    milestone = get_object_or_404(
        selectors.milestone_queryset(user=request.user),
        pk=pk,
    )
    objective = milestone.objective
    if not permissions.can_record_progress(request.user, objective):
        raise PermissionDenied
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            try:
                services.progress_record(actor=request.user, milestone=milestone, **form.cleaned_data)
            except DomainError as error:
                _apply_errors(form, error)
                messages.error(request, error.message)
            else:
                messages.success(request, _("Progress recorded."))
                return redirect("roadmap:objective_detail", pk=objective.pk)
    else:
        form = ProgressForm(initial={"recorded_on": timezone.localdate()})
    return render(
        request,
        "roadmap/progress_form.html",
        {"milestone": milestone, "objective": objective, "form": form, "latest": milestone.latest_value},
    )


# ---------------------------------------------------------------- the meeting


def _office_only(user):
    if not user.sees_everything:
        raise PermissionDenied


@login_required
def meeting_detail(request, year):
    _office_only(request.user)
    cycle = selectors.cycle_for_year(year)
    if cycle is None:
        raise Http404
    meeting = selectors.meeting_for_year(year)
    return render(
        request,
        "roadmap/meeting.html",
        {
            "cycle": cycle,
            "meeting": meeting,
            "form": MeetingForm(
                initial={
                    "date": meeting.date if meeting else cycle.meeting_date,
                    "place": meeting.place if meeting else "",
                }
            ),
            "can_prepare": permissions.can_prepare(request.user),
            "invite_form": InviteForm() if meeting and permissions.can_prepare(request.user) else None,
        },
    )


@login_required
@require_POST
def meeting_action(request, year, action):
    if not permissions.can_prepare(request.user):
        raise PermissionDenied
    cycle = selectors.cycle_for_year(year)
    if cycle is None:
        raise Http404
    try:
        if action == "build":
            form = MeetingForm(request.POST)
            date = place = None
            if form.is_valid():
                date, place = form.cleaned_data["date"], form.cleaned_data["place"]
            services.meeting_build(actor=request.user, cycle=cycle, date=date, place=place)
            messages.success(request, _("Meeting and agenda brought up to date."))
        elif action == "move":
            form = _valid_or_400(AgendaMoveForm(request.POST))
            item = get_object_or_404(AgendaItem, pk=form.cleaned_data["item"], meeting__cycle=cycle)
            services.agenda_move(actor=request.user, item=item, direction=form.cleaned_data["direction"])
            if request.headers.get("Accept") == "application/json":  # the agenda page moves the row itself
                order = list(
                    AgendaItem.objects.filter(meeting=item.meeting)
                    .order_by("position", "pk")
                    .values_list("pk", flat=True)
                )
                return JsonResponse({"order": order})
        elif action == "invite":
            meeting = get_object_or_404(Meeting, cycle=cycle)
            form = InviteForm(request.POST)
            if form.is_valid():
                services.meeting_invite(
                    actor=request.user, meeting=meeting, directorates=list(form.cleaned_data["units"])
                )
                messages.success(request, _("Invitations added."))
        elif action == "attendance":
            meeting = get_object_or_404(Meeting, cycle=cycle)
            form = _valid_or_400(AttendanceForm(request.POST))
            services.attendance_record(
                actor=request.user, meeting=meeting, present_unit_ids=form.cleaned_data["present"]
            )
            messages.success(request, _("Attendance recorded."))
        else:
            raise Http404
    except DomainError as error:
        if action == "move" and request.headers.get("Accept") == "application/json":
            return JsonResponse({"detail": str(error.message)}, status=error.status_code)
        messages.error(request, error.message)
    return redirect("roadmap:meeting", year=year)


@login_required
def briefing(request, year, code):
    _office_only(request.user)
    cycle = selectors.cycle_for_year(year)
    if cycle is None:
        raise Http404
    pack = selectors.briefing_pack(cycle=cycle, code=code)
    if pack is None:
        raise Http404
    meeting = Meeting.objects.filter(cycle=cycle).first()
    return render(request, "roadmap/briefing.html", {"cycle": cycle, "meeting": meeting, **pack})


@login_required
def briefing_all(request, year):
    """Every briefing pack of the agenda on one page, each starting on a new sheet: "print all"."""
    _office_only(request.user)
    cycle = selectors.cycle_for_year(year)
    if cycle is None:
        raise Http404
    meeting = Meeting.objects.filter(cycle=cycle).first()
    return render(
        request,
        "roadmap/briefing_all.html",
        {"cycle": cycle, "meeting": meeting, "packs": selectors.briefing_packs(cycle=cycle)},
    )


@login_required
def compstat(request, year, code=None):
    """The meeting screen: one unit at a time, in agenda order, to project while its head presents."""
    _office_only(request.user)
    cycle = selectors.cycle_for_year(year)
    if cycle is None:
        raise Http404
    if code is None:
        first = selectors.compstat_first(cycle=cycle)
        if first is None:
            messages.info(request, _("Build the meeting's agenda first: the screen follows its order."))
            return redirect("roadmap:meeting", year=year)
        return redirect("roadmap:compstat_unit", year=year, code=first)
    screen = selectors.compstat_unit(user=request.user, cycle=cycle, code=code)
    if screen is None:
        raise Http404
    return render(request, "roadmap/compstat.html", {"cycle": cycle, **screen})


# ---------------------------------------------------------------- priorities


@login_required
def priority_list(request, year):
    cycle = selectors.cycle_for_year(year)
    if cycle is None:
        raise Http404
    can_record = permissions.can_record_priorities(request.user)
    editing = None
    pick = _valid_or_400(PriorityPickForm(request.POST if request.method == "POST" else request.GET)).cleaned_data
    if pick.get("edit") and can_record and request.method != "POST":
        editing = get_object_or_404(Priority.objects.prefetch_related("owners"), pk=pick["edit"], cycle=cycle)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if pick.get("id"):
            editing = get_object_or_404(Priority, pk=pick["id"], cycle=cycle)
        form = PriorityForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if editing is not None:
                    services.priority_update(actor=request.user, priority=editing, **data)
                else:
                    services.priority_create(actor=request.user, cycle=cycle, **data)
            except DomainError as error:
                _apply_errors(form, error)
                messages.error(request, error.message)
            else:
                messages.success(request, _("Priority saved."))
                return redirect("roadmap:priorities", year=year)
    elif editing is not None:
        form = PriorityForm(
            initial={**{f: getattr(editing, f) for f in services.PRIORITY_FIELDS}, "owners": list(editing.owners.all())}
        )
    else:
        form = PriorityForm()
    return render(
        request,
        "roadmap/priorities.html",
        {
            "cycle": cycle,
            "priorities": selectors.priority_list(cycle=cycle).order_by("code"),
            "form": form if can_record else None,
            "editing": editing,
        },
    )


# ---------------------------------------------------------------- entry points (nav links)


def _latest_cycle_year():
    from reviews.selectors import current_cycle

    cycle = current_cycle()
    return cycle.year if cycle else timezone.localdate().year


@login_required
def roadmap_home(request):
    year = Roadmap.objects.order_by("-year").values_list("year", flat=True).first()
    return redirect("roadmap:detail", year=year or _latest_cycle_year() + 1)


@login_required
def meeting_home(request):
    return redirect("roadmap:meeting", year=_latest_cycle_year())


@login_required
def priority_home(request):
    return redirect("roadmap:priorities", year=_latest_cycle_year())
