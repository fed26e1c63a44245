"""A large import runs in a real Celery worker on Redis; the page shows its progress and result."""

import contextlib
import time
import uuid

import pytest
from django.urls import reverse

from directorates.models import Deliverable
from transfers import services
from transfers.models import ImportJob

from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload


def _wait(job, states, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in states:
            return job
        time.sleep(0.2)  # waiting for another process's work, not for a date
    raise AssertionError(f"import #{job.pk} still {job.state}")


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_import_runs_in_a_real_worker(settings, client):
    import os

    from celery.contrib.testing.worker import start_worker

    from tests.celery_support import celery_using
    from tests.factories import DirectorateFactory, office_user

    olga = office_user(username="olga-worker")
    DirectorateFactory(code="SP-A")
    with celery_using(os.environ["REDIS_URL"], queue=f"test-transfers-{uuid.uuid4().hex[:8]}") as app:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            rows = [deliverable_row(title=f"W{i}") for i in range(2000)]
            job = services.import_start(
                actor=olga, kind_key="deliverables", uploaded_file=upload(DELIVERABLE_HEADERS, rows)
            )
            job = _wait(job, {ImportJob.State.PREVIEW, ImportJob.State.FAILED})
            assert job.state == ImportJob.State.PREVIEW and job.counts["new"] == 2000, job.message
            services.import_confirm(actor=olga, job=job)
            job = _wait(job, {ImportJob.State.APPLIED, ImportJob.State.FAILED})
            assert job.state == ImportJob.State.APPLIED, (job.message, job.row_errors[:3])
    assert Deliverable.objects.filter(title__startswith="W").count() == 2000
    client.force_login(olga)
    status = client.get(reverse("transfers:import_status", args=[job.pk])).json()
    assert status["state"] == "applied" and status["progress"] == 100


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_job_lost_with_the_brokers_data_is_queued_again_by_the_sweeper():
    """Redis loses the queued task (flushed, restarted without persistence): the sweeper queues it
    again once it is past IMPORT_STUCK_AFTER_MINUTES, and a real worker then checks the file."""
    import datetime
    import os
    import uuid

    import redis
    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone

    from tests.celery_support import celery_using
    from tests.factories import DirectorateFactory, office_user

    url = os.environ["REDIS_URL"]
    name = f"test-transfers-{uuid.uuid4().hex[:8]}"
    olga = office_user(username="olga-sweep")
    DirectorateFactory(code="SP-A")
    client = redis.Redis.from_url(url)
    with celery_using(url, queue=name) as app, contextlib.closing(client):
        job = services.import_start(
            actor=olga, kind_key="deliverables", uploaded_file=upload(DELIVERABLE_HEADERS, [deliverable_row()])
        )
        assert client.llen(name) == 1
        client.delete(name)  # the broker lost its data: nobody will ever run this job's task
        assert services.import_sweep()["requeued"] == []  # not yet stuck
        later = timezone.now() + datetime.timedelta(minutes=31)
        assert services.import_sweep(now=later)["requeued"] == [job.pk]
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=[name]):
            job = _wait(job, {ImportJob.State.PREVIEW, ImportJob.State.FAILED})
        assert job.state == ImportJob.State.PREVIEW and job.counts["new"] == 1 and job.attempts == 2
        client.delete(name)
