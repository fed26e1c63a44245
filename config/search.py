"""One search box on every page: units, reports, objectives and deliverables by name or code.

Each kind is read through its app's scoped selector (``directorate_list``, ``report_list``,
``objective_queryset``, ``deliverable_list``): search finds only what the person may already open, by
the very rules of those pages, and holds no rule of its own. It lives in ``config`` beside the URL
configuration because it spans the apps (``core`` knows none of them).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.filters import BadFilter
from directorates import selectors as directorate_selectors
from reviews import selectors as review_selectors
from roadmap import selectors as roadmap_selectors

LIMIT = 20
NAMES = ("name_fr", "name_ar", "name_en")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)


def _unit_q(words, prefix=""):
    query = Q()
    for word in words:
        one = Q(**{f"{prefix}code__icontains": word})
        for name in NAMES:
            one |= Q(**{f"{prefix}{name}__icontains": word})
        query &= one
    return query


def _text_q(words, fields):
    query = Q()
    for word in words:
        one = Q()
        for field in fields:
            one |= Q(**{f"{field}__icontains": word})
        query &= one
    return query


def search(*, user, text):
    """Up to LIMIT of each kind matching every word of ``text``, among what ``user`` may see."""
    words = text.split()[:8]
    if not words:
        return None
    years = [int(w) for w in words if w.isdigit() and len(w) == 4]
    unit_words = [w for w in words if not (w.isdigit() and len(w) == 4)]
    units = directorate_selectors.directorate_list(user=user).filter(_unit_q(words)).order_by("path")[:LIMIT]
    reports = review_selectors.report_list(user=user).filter(_unit_q(unit_words, "directorate__"))
    if years:
        reports = reports.filter(cycle__year__in=years)
    reports = reports.order_by("-cycle__year", "directorate__path")[:LIMIT]
    objectives = (
        roadmap_selectors.objective_queryset(user=user)
        .filter(_text_q(words, ("ref", "title", "owner__code", *[f"owner__{n}" for n in NAMES])))
        .order_by("-roadmap__year", "owner__path", "ref")[:LIMIT]
    )
    deliverables = (
        directorate_selectors.deliverable_list(user=user)
        .filter(_text_q(words, ("title", "directorate__code", *[f"directorate__{n}" for n in NAMES])))
        .order_by("-year", "directorate__path", "due_date")[:LIMIT]
    )
    return {
        "units": list(units),
        "reports": list(reports),
        "objectives": list(objectives),
        "deliverables": list(deliverables),
    }


@login_required
def search_page(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        raise BadFilter(form.errors)
    text = form.cleaned_data["q"].strip()
    return render(
        request,
        "search.html",
        {"form": form, "text": text, "results": search(user=request.user, text=text), "limit": LIMIT},
    )
