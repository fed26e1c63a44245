"""Web pages of the organisation: the units one may see and their cahiers des charges."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.history import HISTORY_PAGE_SIZE, Timeline
from directorates import permissions, selectors, services
from directorates.forms import DeliverableForm, ReasonForm
from directorates.models import Deliverable, Directorate


@login_required
def unit_list(request):
    return render(request, "directorates/unit_list.html", {"units": selectors.directorate_list(user=request.user)})


@login_required
def cahier(request, code, year=None):
    # Without a year: the latest year this unit has deliverables for (the year under review, in practice),
    # rather than the calendar year, which is usually still empty.
    with_deliverables = selectors.deliverable_years(user=request.user, code=code)
    today = timezone.localdate().year
    year = year or (with_deliverables[0] if with_deliverables else today)
    unit = selectors.directorate_with_deliverables(user=request.user, code=code, year=year)
    if unit is None:
        raise Http404
    return render(
        request,
        "directorates/cahier.html",
        {
            "unit": unit,
            "year": year,
            "deliverables": unit.deliverables.all(),
            "years": sorted(set(with_deliverables) | set(range(year - 1, year + 2))),
            "years_with_deliverables": with_deliverables,
            "can_manage": services.can_manage_deliverables(request.user, unit),
            "office_may_correct": permissions.can_manage_deliverables_anywhere(request.user),
        },
    )


def _show_errors(form, error):
    for field, field_errors in error.errors.items():
        form.add_error(field if field in form.fields else None, field_errors)
    if not error.errors:
        form.add_error(None, error.message)


@login_required
def deliverable_edit(request, code, year, pk=None):
    unit = get_object_or_404(selectors.directorate_list(user=request.user), code=code)
    if not services.can_manage_deliverables(request.user, unit):
        raise PermissionDenied
    deliverable = get_object_or_404(Deliverable, pk=pk, directorate=unit, year=year) if pk else None
    if services.deliverable_locked_for(request.user, deliverable):
        messages.error(
            request,
            _(
                "This deliverable comes from the approved roadmap: it changes through the "
                "roadmap, or the DG's office corrects it with a reason."
            ),
        )
        return redirect("directorates:cahier_year", code=unit.code, year=year)
    form = DeliverableForm(
        request.POST or None,
        instance=deliverable,
        needs_reason=services.deliverable_change_needs_reason(request.user, deliverable),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            if deliverable:
                services.deliverable_update(actor=request.user, deliverable=deliverable, reason=reason, **data)
            else:
                services.deliverable_create(actor=request.user, directorate=unit, year=year, **data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Deliverable saved."))
            return redirect("directorates:cahier_year", code=unit.code, year=year)
    return render(
        request,
        "directorates/deliverable_form.html",
        {"unit": unit, "year": year, "form": form, "deliverable": deliverable},
    )


@login_required
@require_POST
def deliverable_delete(request, code, year, pk):
    unit = get_object_or_404(selectors.directorate_list(user=request.user), code=code)
    if not services.can_manage_deliverables(request.user, unit):
        raise PermissionDenied
    deliverable = get_object_or_404(Deliverable, pk=pk, directorate=unit, year=year)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.deliverable_delete(actor=request.user, deliverable=deliverable, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Deliverable deleted."))
    return redirect("directorates:cahier_year", code=unit.code, year=year)


@login_required
def unit_history(request, code):
    if not request.user.sees_everything:
        raise PermissionDenied
    unit = selectors.directorate_list(user=request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    page = Paginator(
        Timeline(
            Directorate.history.filter(id=unit.pk),
            Deliverable.history.filter(directorate_id=unit.pk),
            label=lambda row: getattr(row, "title", None) or row.code,
        ),
        HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "directorates/unit_history.html", {"unit": unit, "entries": page.object_list, "page": page})
