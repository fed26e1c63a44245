"""Web pages of yearly figures, the bilan and the dashboards. Thin: parse, call a selector or service, render."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, InvalidTransition, ValidationFailed
from core.filters import BadFilter, valid_filters
from core.i18n import language_codes
from directorates.permissions import visible_directorates
from figures import formatting, permissions, selectors, services
from figures.bilan import load_bilan, outlook_summary
from figures.documents import render_pdf, render_xlsx
from figures.filters import DashboardFilter, UnitDashboardFilter
from figures.forms import BilanDocumentForm, BilanTextForm
from figures.models import Domain
from reviews import selectors as review_selectors


def language_names():
    """Each language named in itself, for the document links."""
    return [(code, get_language_info(code)["name_local"]) for code in language_codes()]


# ---------------------------------------------------------------- figure entry

logger = logging.getLogger(__name__)


@login_required
def unit_figures(request, code, year):
    directorate = get_object_or_404(visible_directorates(request.user), code=code)
    return _entry(request, directorate, year, selectors.unit_report(directorate=directorate, year=year))


@login_required
def report_figures(request, pk):
    """The figures part of the annual report's web form."""
    report = get_object_or_404(
        review_selectors.report_list(user=request.user).select_related("directorate__parent"), pk=pk
    )
    return _entry(request, report.directorate, report.cycle.year, report)


def _entry(request, directorate, year, report):
    rows = selectors.entry_rows(directorate=directorate, year=year)
    problem = permissions.figure_write_problem(request.user, directorate, report)
    errors, posted = {}, {}
    if request.method == "POST":
        if problem:
            raise PermissionDenied(problem)
        submitted = [row for row in rows if f"value-{row['indicator'].code}" in request.POST]
        data = [
            {
                "directorate": directorate,
                "indicator": row["indicator"],
                "year": year,
                "value": request.POST.get(f"value-{row['indicator'].code}", "").strip(),
                "source_note": request.POST.get(f"note-{row['indicator'].code}", ""),
                "justification": request.POST.get(f"justification-{row['indicator'].code}"),
                # The version of the figure the page showed: a change made meanwhile is refused, not overwritten.
                "read": request.POST.get(f"read-{row['indicator'].code}", ""),
            }
            for row in submitted
        ]
        try:
            result = services.figure_set_many(actor=request.user, rows=data)
        except InvalidTransition as error:
            messages.error(request, error.message)
            for problem_ in error.errors.get("figures", [])[:10]:
                messages.info(request, problem_)
            return redirect(request.path)
        except ValidationFailed as error:
            for index, row_errors in error.errors.items():
                code = submitted[int(index)]["indicator"].code
                errors[code] = [str(m) for messages_ in row_errors.values() for m in messages_]
            posted = {row["indicator"]: row for row in data}
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Figures saved: %(created)s new, %(updated)s changed, %(cleared)s cleared.") % result
            )
            return redirect(request.path)
    # While the report is returned with flagged items, only the flagged figures can change.
    flags = review_selectors.review_items_by_kind(report) if report is not None else {}
    figure_flags = flags.get("figure", {})
    for row in rows:
        code = row["indicator"].code
        row["flag"] = figure_flags.get(row["figure"].pk) if row.get("figure") else None
        row["locked"] = bool(flags) and row["flag"] is None
        row["errors"] = errors.get(code, [])
        row["read"] = services.figure_version(row["figure"])
        if row["indicator"] in posted:  # nothing typed is lost when the form comes back with errors
            row["posted"] = True
            row["posted_value"] = posted[row["indicator"]]["value"]
            row["posted_note"] = posted[row["indicator"]]["source_note"]
            row["posted_justification"] = posted[row["indicator"]]["justification"]
    return render(
        request,
        "figures/entry.html",
        {
            "directorate": directorate,
            "year": year,
            "report": report,
            "rows": rows,
            "can_edit": problem is None,
            "problem": problem,
        },
        status=400 if errors else 200,
    )


# ---------------------------------------------------------------- bilan


@login_required
def bilan_list(request):
    office = permissions.is_dg_office(request.user)
    bilans = {b.year: b for b in selectors.bilan_list()}
    years = (
        selectors.bilan_years() if office else sorted((y for y, b in bilans.items() if b.is_published), reverse=True)
    )
    return render(
        request,
        "figures/bilan_list.html",
        {
            "rows": [{"year": y, "bilan": bilans.get(y)} for y in years],
            "can_start": permissions.can_edit_bilan(request.user),
        },
    )


def _readable(request, year):
    bilan, data = load_bilan(year)
    if not permissions.can_read_bilan(request.user, bilan):
        raise Http404
    return bilan, data


@login_required
def bilan_detail(request, year):
    # National scale: the page shows next year's objectives counted by domain (the list is on the roadmap
    # page and in the documents) and the units' change notes counted by domain, a page at a time.
    bilan, data = load_bilan(year, objectives=False)
    user = request.user
    if not permissions.can_read_bilan(user, bilan):
        raise Http404
    show_change_notes = permissions.is_dg_office(user)
    notes_query = request.GET.copy()
    notes_query.pop("notes_page", None)
    return render(
        request,
        "figures/bilan_detail.html",
        {
            "bilan": bilan,
            "data": data,
            "outlook": outlook_summary(data),
            "change_notes": selectors.national_change_notes(year=year, page=request.GET.get("notes_page"))
            if show_change_notes
            else None,
            "notes_query": notes_query.urlencode(),
            "can_edit": bilan is not None and bilan.state == "draft" and permissions.can_edit_bilan(user),
            "can_start": bilan is None and permissions.can_edit_bilan(user),
            "can_approve": bilan is not None and bilan.state == "draft" and permissions.can_approve_bilan(user),
            "can_publish": bilan is not None and bilan.state == "approved" and permissions.can_publish_bilan(user),
            "can_reopen": bilan is not None and bilan.state == "approved" and permissions.can_reopen_bilan(user),
            # The units' justifications are internal: the office reads them, the organisation-wide edition does not.
            "show_change_notes": show_change_notes,
            "languages": language_names(),
        },
    )


@login_required
def bilan_edit(request, year):
    if not permissions.can_edit_bilan(request.user):
        raise PermissionDenied
    bilan, data = load_bilan(year)
    if bilan is None:
        raise Http404
    domains = [group.domain for group in data.groups]
    if request.method == "POST":
        form = BilanTextForm(request.POST, domains=domains)
        if not form.is_valid():  # the page always sends the version it shows and plain text
            raise BadFilter(form.errors)
        try:
            services.bilan_update(
                actor=request.user,
                bilan=bilan,
                texts=form.texts(),
                sections=form.sections(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The annual report's text was saved."))
            return redirect("figures:bilan_detail", year=year)
    existing = {s.domain: s for s in bilan.sections.all()}
    return render(
        request,
        "figures/bilan_edit.html",
        {
            "bilan": bilan,
            "year": year,
            "fields": [
                (field, bilan._meta.get_field(field).verbose_name, getattr(bilan, field))
                for field in services.TEXT_FIELDS
            ],
            "sections": [
                {
                    "domain": domain,
                    "label": Domain(domain).label,
                    "bodies": [(lang, getattr(existing.get(domain), f"body_{lang}", "")) for lang in language_codes()],
                    "public": getattr(existing.get(domain), "is_public", False),
                }
                for domain in domains
            ],
            "public_fields": [
                (field, bilan._meta.get_field(field).verbose_name, getattr(bilan, field))
                for field in services.PUBLIC_FIELDS
            ],
        },
    )


ACTIONS = {
    "approve": services.bilan_approve,
    "publish": services.bilan_publish,
    "reopen": services.bilan_reopen,
}


@login_required
@require_POST
def bilan_action(request, year, action):
    try:
        if action == "start":
            services.bilan_start(actor=request.user, year=year)
        elif action in ACTIONS:
            bilan = get_object_or_404(selectors.bilan_list(), year=year)
            ACTIONS[action](actor=request.user, bilan=bilan)
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("figures:bilan_detail", year=year)


@login_required
def bilan_download(request, year, fmt):
    _bilan, data = _readable(request, year)
    return _document(request, data, year, fmt)


def _published_public_edition(year):
    """The public edition of a published bilan (404 before publication): readable without logging in."""
    bilan, data = load_bilan(year)
    if bilan is None or not bilan.is_published:
        raise Http404
    return bilan, data.public_edition()


def bilan_public(request, year):
    bilan, data = _published_public_edition(year)
    return render(
        request,
        "figures/bilan_detail.html",
        {
            "bilan": bilan,
            "data": data,
            "public": True,
            "languages": language_names(),
        },
    )


def bilan_public_download(request, year, fmt):
    _bilan, data = _published_public_edition(year)
    return _document(request, data, year, fmt)


def _document(request, data, year, fmt):
    form = BilanDocumentForm(request.GET)
    if not form.is_valid():
        raise BadFilter(form.errors)
    language = form.chosen_language((request.LANGUAGE_CODE or "fr")[:2])
    edition = "public" if data.is_public_edition else "internal"
    if fmt == "pdf":
        try:
            content, content_type = render_pdf(data, language), "application/pdf"
        except OSError:  # WeasyPrint loads the system's pango when it first renders
            logger.exception("PDF rendering is unavailable")
            messages.error(
                request,
                _(
                    "The PDF cannot be produced on this server: its pango library is missing "
                    "(apt-get install libpango-1.0-0 libpangoft2-1.0-0). The Excel workbook "
                    "is available."
                ),
            )
            return redirect("figures:bilan_public" if edition == "public" else "figures:bilan_detail", year=year)
    else:
        content = render_xlsx(data, language)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    suffix = "-public" if edition == "public" else ""
    response["Content-Disposition"] = f'attachment; filename="bilan-{year}{suffix}-{language}.{fmt}"'
    return response


# ---------------------------------------------------------------- dashboards


def _chart_number(value, unit="count"):
    """Charts get display-rounded numbers (the tables beside them show the same)."""
    return None if value is None else float(formatting.rounded(value, formatting.PLACES.get(unit, 2)))


@login_required
def dashboard(request):
    """Per indicator: the series over the years; per domain: the year's changes."""
    params = valid_filters(DashboardFilter, request.GET).form.cleaned_data
    indicators = list(selectors.indicator_list())
    if not indicators:
        return render(request, "figures/dashboard.html", {"indicators": []})
    by_code = {i.code: i for i in indicators}
    indicator = by_code.get(params.get("indicator")) or by_code.get("cases_handled") or indicators[0]
    all_years = sorted(selectors.bilan_years())
    years = all_years[-8:] or []
    series = selectors.indicator_series(user=request.user, indicator=indicator, years=years, max_units=12)
    chart_series = {
        "labels": [str(y) for y in years],
        "unit": indicator.unit,
        "datasets": (
            [{"label": _("National"), "data": [_chart_number(v, indicator.unit) for v in series["national"]]}]
            if series["national"]
            else []
        )
        # The chart stays readable with six units at most; the table beside it lists them all.
        + [
            {"label": row["unit"].code, "data": [_chart_number(v, indicator.unit) for v in row["series"]]}
            for row in series["units"][:6]
        ],
    }
    # Per domain: the changes of a year, from the bilan the user may read (published, or any for the office).
    year = params.get("year") or (all_years[-1] if all_years else 0)
    domain = params.get("domain") or indicator.domain
    domain_lines, bilan_readable = [], False
    if year:
        bilan, data = load_bilan(year, objectives=False)  # the lines only: not the roadmap's objectives
        bilan_readable = permissions.can_read_bilan(request.user, bilan)
        if bilan_readable:
            domain_lines = [line for line in data.lines if line.domain == domain]
    chart_domain = {
        "labels": [line.name for line in domain_lines if line.change_pct is not None],
        "unit": "percent",
        "datasets": [
            {
                "label": _("Change against the previous year (%)"),
                "data": [
                    _chart_number(line.change_pct, "percent") for line in domain_lines if line.change_pct is not None
                ],
            }
        ],
    }
    return render(
        request,
        "figures/dashboard.html",
        {
            "indicators": indicators,
            "indicator": indicator,
            "years": years,
            "series": series,
            "chart_series": chart_series,
            "year": year,
            "all_years": all_years,
            "domain": domain,
            "domains": Domain.choices,
            "domain_lines": domain_lines,
            "bilan_readable": bilan_readable,
            "chart_domain": chart_domain,
        },
    )


@login_required
def unit_dashboard(request, code):
    """A unit's figures of a year against its peers of the same kind."""
    params = valid_filters(UnitDashboardFilter, request.GET).form.cleaned_data
    directorate = get_object_or_404(visible_directorates(request.user), code=code)
    years = selectors.bilan_years()
    year = params.get("year") or (years[0] if years else 0)
    rows = selectors.peer_comparison(user=request.user, directorate=directorate, year=year) if year else []
    chart = {
        "labels": [row["indicator"].name for row in rows],
        "unit": "count",
        "datasets": [
            {"label": directorate.code, "data": [_chart_number(row["own"], row["indicator"].unit) for row in rows]},
            {
                "label": _("Peers' median"),
                "data": [_chart_number(row["median"], row["indicator"].unit) for row in rows],
            },
        ],
    }
    return render(
        request,
        "figures/unit_dashboard.html",
        {
            "directorate": directorate,
            "year": year,
            "years": years,
            "rows": rows,
            "chart": chart,
            "named": request.user.sees_everything,
        },
    )
