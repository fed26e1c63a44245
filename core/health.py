"""The health endpoint for a load balancer or a monitor: /health/ (django-health-check).

Checks the database, the broker, that a Celery worker answers (its heartbeat: a ping over the
broker) and that beat ran recently (the last run of any enabled periodic task, kept by
django-celery-beat in the database). In the embedded default (tasks run eagerly, no broker, no
worker, no beat) the last three report that they are not used. 200 when every check passes, 500
otherwise; ``?format=json`` or ``Accept: application/json`` for a machine-readable answer.
"""

import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from celery.app import app_or_default
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


def _embedded():
    return bool(app_or_default().conf.task_always_eager)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection."""

    timeout = datetime.timedelta(seconds=3)

    def run(self):
        if _embedded():
            return
        try:
            with app_or_default().connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as error:
            raise ServiceUnavailable(f"broker unreachable ({type(error).__name__})") from None


@dataclasses.dataclass(repr=False)
class Worker(Ping):
    """At least one Celery worker answers a ping on its queue (its heartbeat)."""

    def __repr__(self):
        return "Worker()"

    def run(self):
        if _embedded():
            return
        return super().run()


@dataclasses.dataclass
class Beat(HealthCheck):
    """Beat ran recently: the newest last run of an enabled periodic task is younger than
    HEALTH_BEAT_MAX_AGE_MINUTES (the sweeper runs every 2 minutes)."""

    def run(self):
        if _embedded():
            return
        from django_celery_beat.models import PeriodicTask

        last = (
            PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False)
            .order_by("-last_run_at")
            .values_list("last_run_at", flat=True)
            .first()
        )
        limit = datetime.timedelta(minutes=settings.HEALTH_BEAT_MAX_AGE_MINUTES)
        if last is None:
            raise ServiceUnavailable("beat has never run a periodic task")
        if timezone.now() - last > limit:
            raise ServiceUnavailable(f"beat last ran a task {timezone.now() - last} ago")


class HealthView(HealthCheckView):
    checks = (Database, Broker, Worker, Beat)


_async_view = HealthView.as_view()


@transaction.non_atomic_requests
def health(request):
    """The library's async view, run in a thread of its own: a sync caller (gunicorn's sync workers,
    the test client) may already have an event loop in its thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(async_to_sync(_async_view), request).result()
