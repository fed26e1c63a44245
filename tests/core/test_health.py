"""/health/ for a load balancer: database, broker, a worker's heartbeat, beat's last run."""

import datetime
import os

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db(transaction=True)


def _periodic_task(**values):
    # Transactional tests flush the tables: the migration's schedule is gone, make one.
    from django_celery_beat.models import IntervalSchedule

    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.create(name="sweep", task="transfers.sweep_imports", interval=every, **values)


def _health(client):
    response = client.get("/health/?format=json")
    return response.status_code, response.json()


def test_the_embedded_default_is_healthy_without_logging_in(client):
    status, body = _health(client)
    assert status == 200, body
    assert set(body) == {"Database(alias='default')", "Broker()", "Worker()", "Beat()"}
    assert set(body.values()) == {"OK"}


def test_an_unreachable_broker_no_worker_and_no_beat_are_reported(client, dead_broker):
    status, body = _health(client)
    assert status == 500
    assert body["Database(alias='default')"] == "OK"
    assert "broker unreachable" in body["Broker()"]
    assert body["Worker()"] != "OK"
    assert "never run" in body["Beat()"]


def test_beat_is_unhealthy_when_its_last_run_is_old(client, dead_broker, settings):
    settings.HEALTH_BEAT_MAX_AGE_MINUTES = 10
    task = _periodic_task(last_run_at=timezone.now() - datetime.timedelta(minutes=3))
    assert _health(client)[1]["Beat()"] == "OK"
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now() - datetime.timedelta(minutes=30))
    assert "ago" in _health(client)[1]["Beat()"]


@pytest.mark.celery
def test_with_redis_and_a_real_worker_everything_is_healthy(client):
    from celery.contrib.testing.worker import start_worker

    from tests.celery_support import celery_using

    _periodic_task(last_run_at=timezone.now())
    with celery_using(os.environ["REDIS_URL"]) as app:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            status, body = _health(client)
    assert status == 200, body
