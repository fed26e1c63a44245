"""Celery tasks of imports: thin, they take a job id and call a service. Both are idempotent."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import translation

from transfers import services
from transfers.models import ImportJob

logger = logging.getLogger(__name__)


def _run(service, job_id):
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return None
    # Row errors are stored as text: written in the language of the page the file was sent from (the
    # import's page shows them in its reader's language, core.retranslation.retranslate).
    language = job.language or job.created_by.language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            service(job=job)
    except Exception:
        # Recorded on the job (the user sees "failed", nothing saved) rather than re-raised: in the
        # embedded default the task runs inside the upload request, which must not become a 500.
        logger.exception("import #%s crashed", job_id)
        services.import_fail_unexpectedly(job_id=job_id)
    return job_id


@shared_task(acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def preview_import(job_id):
    return _run(services.import_preview, job_id)


@shared_task(acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def apply_import(job_id):
    return _run(services.import_apply, job_id)


@shared_task(name="transfers.sweep_imports", soft_time_limit=4 * 60, time_limit=5 * 60)
def sweep_imports():
    """Periodic (django-celery-beat, see migration 0003): queue again or fail stuck imports, remove old files."""
    return services.import_sweep()
