"""Web pages of imports and exports. Thin: parse, call a selector or a service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotAllowed
from core.retranslation import retranslate
from reviews.selectors import current_cycle
from transfers import kinds, selectors, services
from transfers.forms import ImportForm


def _kind_or_404(key, *, importable=False):
    kind = kinds.get(key)
    if kind is None or (importable and not kind.importable):
        raise Http404
    return kind


def _job_or_404(request, pk):
    job = selectors.import_detail(user=request.user, pk=pk)
    if job is None:
        raise Http404
    return job


@login_required
def import_list(request):
    jobs = selectors.import_list(user=request.user)[:100]
    return render(
        request,
        "transfers/import_list.html",
        {
            "jobs": jobs,
            "import_kinds": [kind for kind in kinds.importable() if kind.may_import(request.user)],
            "export_kinds": list(kinds.REGISTRY.values()),
        },
    )


@login_required
def import_new(request, kind):
    kind = _kind_or_404(kind, importable=True)
    if not kind.may_import(request.user):
        raise PermissionDenied
    year_required = kind.requires_year(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, year_required=year_required)
        if form.is_valid():
            try:
                job = services.import_start(
                    actor=request.user,
                    kind_key=kind.key,
                    uploaded_file=form.cleaned_data["file"],
                    year=form.cleaned_data.get("year"),
                )
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except DomainError as error:
                form.add_error("file" if "year" not in error.errors else "year", error.message)
            else:
                return redirect("transfers:import_detail", pk=job.pk)
    else:
        cycle = current_cycle()
        year = cycle.year if cycle else None
        asked = ImportForm(request.GET, year_required=False)  # "upload again" keeps the year of the last try
        if request.GET.get("year") and asked.is_valid() and asked.cleaned_data.get("year"):
            year = asked.cleaned_data["year"]
        form = ImportForm(year_required=year_required, initial={"year": year})
    return render(request, "transfers/import_new.html", {"kind": kind, "form": form})


@login_required
def import_detail(request, pk):
    job = _job_or_404(request, pk)
    written_in = job.language or job.created_by.language or settings.LANGUAGE_CODE
    reader = translation.get_language()
    return render(
        request,
        "transfers/import_detail.html",
        {
            "job": job,
            "message": retranslate(job.message, written_in, reader),
            "row_errors": [
                {
                    **error,
                    "message": retranslate(error.get("message", ""), written_in, reader),
                    "column": retranslate(error.get("column", ""), written_in, reader),
                }
                for error in job.row_errors
            ],
            "kind": kinds.get(job.kind),
            "progress": services.get_progress(job),
            "changes": selectors.import_changes(job=job),
            "may_confirm": job.can_confirm and job.created_by_id == request.user.pk,
            "may_retry": job.can_retry and (job.created_by_id == request.user.pk or request.user.is_superuser),
        },
    )


@login_required
def import_status(request, pk):
    job = _job_or_404(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": str(job.get_state_display()),
            "progress": services.get_progress(job),
            "running": job.is_running,
        }
    )


@login_required
@require_POST
def import_confirm(request, pk):
    job = _job_or_404(request, pk)
    try:
        services.import_confirm(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        # In the embedded default the task has already run (eagerly, on commit) by the next page.
        messages.info(request, _("The import has been sent to be applied: its result is below."))
    return redirect("transfers:import_detail", pk=job.pk)


@login_required
@require_POST
def import_retry(request, pk):
    job = _job_or_404(request, pk)
    try:
        services.import_retry(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("The import has started again from its uploaded file."))
    return redirect("transfers:import_detail", pk=job.pk)


@login_required
def import_file(request, pk):
    """The uploaded file as it was received (kept for IMPORT_FILE_RETENTION_DAYS)."""
    job = _job_or_404(request, pk)
    if not job.file:
        raise Http404(_("This file was removed after the retention period."))
    try:
        handle = job.file.open("rb")
    except OSError:
        raise Http404(_("This file is no longer stored.")) from None
    return FileResponse(handle, as_attachment=True, filename=job.original_name)


@login_required
def import_template(request, kind, fmt):
    kind = _kind_or_404(kind, importable=True)
    try:
        content = services.template_file(kind_key=kind.key, fmt=fmt)
    except DomainError:
        raise Http404 from None
    return _download(content, fmt, services.file_name(kind.key, fmt, "-template"))


@login_required
def export(request, kind, fmt):
    kind = _kind_or_404(kind)
    try:
        content = services.export_file(user=request.user, kind_key=kind.key, fmt=fmt)
    except DomainError:
        raise Http404 from None
    return _download(content, fmt, services.file_name(kind.key, fmt))


def _download(content, fmt, name):
    response = HttpResponse(content, content_type=services.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
