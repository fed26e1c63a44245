"""Imports finish or fail, visibly: nothing stuck after a broker fault or a killed worker.

An upload while the broker is unreachable is saved and marked, never a 500; a sweeper queues again
what the queue never took or lost, and fails what was tried too often; a failed import can be retried;
uploaded files are removed after their retention period.
"""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core import queue
from transfers import services, tasks
from transfers.models import ImportJob

from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload

pytestmark = pytest.mark.django_db


def _upload_page(client, user, rows, capture):
    client.force_login(user)
    with capture(execute=True):
        return client.post(
            reverse("transfers:import_new", args=["deliverables"]),
            {"file": upload(DELIVERABLE_HEADERS, rows), "year": 2022},
        )


def test_an_upload_while_the_broker_is_down_is_saved_marked_and_answered(
    client, bob, unit_a, cycle, dead_broker, django_capture_on_commit_callbacks
):
    response = _upload_page(client, bob, [deliverable_row()], django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.PENDING and job.queued_at is None
    assert "task queue cannot be reached" in job.message
    assert client.get(reverse("transfers:import_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("transfers:import_status", args=[job.pk])).json()["running"] is True


def test_the_sweeper_queues_the_job_once_the_broker_is_back(
    client, bob, unit_a, cycle, dead_broker, django_capture_on_commit_callbacks, settings
):
    _upload_page(client, bob, [deliverable_row()], django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert services.import_sweep()["requeued"] == []  # still down: left waiting, no attempt counted
    job.refresh_from_db()
    assert (job.state, job.attempts, job.queued_at) == (ImportJob.State.PENDING, 1, None)

    from config.celery import app

    app.conf.task_always_eager = True  # the broker is back (eager: the task runs at once)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.import_sweep()["requeued"] == [job.pk]
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW and job.message == "" and job.counts["new"] == 1


@pytest.fixture
def counted(monkeypatch):
    """The queue takes every task but runs nothing (a worker that never comes): count the hand-overs."""
    handed = []
    monkeypatch.setattr(queue, "enqueue", lambda task, *args: handed.append((task.name, args)) or True)
    return handed


def _stuck_job(olga, state, minutes_ago, attempts=1):
    job = ImportJob.objects.create(
        kind="deliverables",
        created_by=olga,
        created_at=timezone.now(),
        original_name="a.xlsx",
        file_format="xlsx",
        size=10,
        state=state,
        queued_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        attempts=attempts,
        confirmed_by=olga if state == ImportJob.State.APPLYING else None,
    )
    job.file.save("a.xlsx", ContentFile(b"x"))
    return job


def test_a_job_lost_by_the_queue_is_queued_again_then_failed_with_a_message(olga, counted, settings):
    settings.IMPORT_STUCK_AFTER_MINUTES, settings.IMPORT_MAX_ATTEMPTS = 30, 2
    applying = _stuck_job(olga, ImportJob.State.APPLYING, minutes_ago=31)  # worker killed during apply
    recent = _stuck_job(olga, ImportJob.State.PENDING, minutes_ago=5)  # still within its time
    result = services.import_sweep()
    assert result["requeued"] == [applying.pk] and counted == [("transfers.tasks.apply_import", (applying.pk,))]
    assert services.import_sweep()["requeued"] == []  # a second sweeper (two beats) queues nothing twice
    applying.refresh_from_db()
    assert applying.attempts == 2 and applying.state == ImportJob.State.APPLYING

    later = timezone.now() + datetime.timedelta(minutes=31)
    result = services.import_sweep(now=later)
    assert result["failed"] == [applying.pk] and result["requeued"] == [recent.pk]
    applying.refresh_from_db()
    assert applying.state == ImportJob.State.FAILED
    assert "did not finish after 2 attempts" in applying.message and "Nothing was saved" in applying.message
    assert applying.history.first().history_change_reason == "stuck"


def test_the_sweeper_is_scheduled_by_the_migrations():
    task = PeriodicTask.objects.get(task="transfers.sweep_imports")
    assert task.enabled and task.interval.every == 2


def test_the_broker_visibility_timeout_is_longer_than_the_longest_task():
    longest = max(
        tasks.preview_import.time_limit, tasks.apply_import.time_limit, django_settings.CELERY_TASK_TIME_LIMIT
    )
    assert django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest
    assert django_settings.IMPORT_STUCK_AFTER_MINUTES * 60 > longest


@pytest.mark.parametrize("state", ImportJob.State.values)
def test_job_pages_answer_in_every_state_even_with_the_cache_down(client, olga, state, monkeypatch):
    job = _stuck_job(olga, state, minutes_ago=1)
    job.counts = {} if state != ImportJob.State.APPLIED else {"total": 1}
    job.save()

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("transfers.services.cache.get", broken)
    client.force_login(olga)
    assert client.get(reverse("transfers:import_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("transfers:import_status", args=[job.pk])).status_code == 200
    assert client.get(reverse("transfers:import_list")).status_code == 200
    job.file.storage.delete(job.file.name)  # the stored file lost: a 404, not a 500
    assert client.get(reverse("transfers:import_file", args=[job.pk])).status_code == 404


def test_a_failed_import_can_be_retried_by_its_uploader(
    client, olga, unit_a, start, settings, django_capture_on_commit_callbacks
):
    job = start(olga, "deliverables", upload(DELIVERABLE_HEADERS, [deliverable_row()]))
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, message="worker lost")
    client.force_login(olga)
    page = client.get(reverse("transfers:import_detail", args=[job.pk])).content.decode()
    assert 'id="retry-import"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("transfers:import_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW and job.message == "" and job.counts["new"] == 1


def test_only_a_failed_import_of_ones_own_can_be_retried(client, olga, bob, unit_a, start):
    job = start(olga, "deliverables", upload(DELIVERABLE_HEADERS, [deliverable_row()]))
    client.force_login(olga)
    client.post(reverse("transfers:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW  # not failed: refused with a message
    client.force_login(bob)
    assert client.post(reverse("transfers:import_retry", args=[job.pk])).status_code == 404


def test_files_are_removed_after_the_retention_period(olga, unit_a, import_deliverables, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    job = import_deliverables(olga, [deliverable_row()])
    assert job.state == ImportJob.State.APPLIED
    assert not job.rows_file  # the rows snapshot goes as soon as the job is applied
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert services.import_sweep(now=timezone.now() + datetime.timedelta(days=29))["files_removed"] == 0
    assert services.import_sweep(now=timezone.now() + datetime.timedelta(days=31))["files_removed"] == 1
    job.refresh_from_db()
    assert not storage.exists(name) and not job.file and job.files_removed_at
    assert job.state == ImportJob.State.APPLIED and job.counts["new"] == 1  # the record stays
