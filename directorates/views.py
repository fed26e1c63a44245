"""Web pages of the organisation: the units one may see and their cahiers des charges."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from core.history import timeline
from directorates import selectors
from directorates.models import Deliverable, Directorate


@login_required
def unit_list(request):
    return render(request, "directorates/unit_list.html", {"units": selectors.directorate_list(user=request.user)})


@login_required
def cahier(request, code, year=None):
    year = year or timezone.localdate().year
    unit = selectors.directorate_with_deliverables(user=request.user, code=code, year=year)
    if unit is None:
        raise Http404
    return render(request, "directorates/cahier.html", {
        "unit": unit,
        "year": year,
        "deliverables": unit.deliverables.all(),
        "years": range(year - 2, year + 2),
    })


@login_required
def unit_history(request, code):
    if not request.user.sees_everything:
        raise PermissionDenied
    unit = selectors.directorate_list(user=request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    entries = timeline(
        Directorate.history.filter(id=unit.pk),
        Deliverable.history.filter(directorate_id=unit.pk),
        label=lambda row: getattr(row, "title", None) or row.code,
    )
    return render(request, "directorates/unit_history.html", {"unit": unit, "entries": entries})
