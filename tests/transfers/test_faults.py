"""Faults, with a Redis of this test's own (started and restarted here, never the shared one):
work queued before a Redis restart is delivered after it; an upload during the gap is saved and
marked, then queued by the sweeper; a Redis that lost its data (no persistence) loses no import."""

import contextlib
import datetime
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis
from django.utils import timezone

from core import queue
from transfers import services
from transfers.models import ImportJob

from .conftest import DELIVERABLE_HEADERS, deliverable_row, upload
from .test_worker import _wait

pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to start a Redis of its own"),
]


class OwnRedis:
    def __init__(self, folder, persistent):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.folder, self.persistent, self.process = folder, persistent, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                "--save",
                "",
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)  # waiting for the server process to listen, not for a date
        raise AssertionError("own Redis did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis writes its append-only file and exits
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    servers = []

    def make(persistent):
        server = OwnRedis(tmp_path, persistent)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def broker():
    from tests.celery_support import celery_using

    with contextlib.ExitStack() as stack:
        yield lambda url: stack.enter_context(celery_using(url, queue=f"faults-{uuid.uuid4().hex[:6]}"))


def _olga():
    from tests.factories import DirectorateFactory, office_user

    DirectorateFactory(code="SP-A")
    return office_user(username=f"olga-{uuid.uuid4().hex[:6]}")  # with the office's rights, granted per person


def _upload(olga, title):
    return services.import_start(
        actor=olga, kind_key="deliverables", uploaded_file=upload(DELIVERABLE_HEADERS, [deliverable_row(title=title)])
    )


def test_work_queued_before_a_redis_restart_is_delivered_after_and_the_gap_loses_nothing(own_redis, broker):
    from celery.contrib.testing.worker import start_worker

    server = own_redis(persistent=True)
    app = broker(server.url)
    olga = _olga()
    before = _upload(olga, "Avant")  # queued, no worker yet
    server.stop()
    during = _upload(olga, "Pendant")  # Redis down: saved and marked, not a failure
    during.refresh_from_db()
    assert during.state == ImportJob.State.PENDING and during.queued_at is None
    server.start()  # restarted with its append-only file
    queue.reset(app.conf.broker_url)  # known to be back: try it at once
    assert services.import_sweep()["requeued"] == [during.pk]
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=[app.conf.task_default_queue]
    ):
        for job in (before, during):
            job = _wait(job, {ImportJob.State.PREVIEW, ImportJob.State.FAILED})
            assert job.state == ImportJob.State.PREVIEW and job.counts["new"] == 1, job.message


def test_a_redis_that_lost_its_data_loses_no_import(own_redis, broker):
    from celery.contrib.testing.worker import start_worker

    server = own_redis(persistent=False)
    app = broker(server.url)
    olga = _olga()
    job = _upload(olga, "Perdu")
    server.stop()
    server.start()  # no persistence: the queued task is gone
    assert redis.Redis.from_url(server.url).dbsize() == 0
    later = timezone.now() + datetime.timedelta(minutes=31)
    assert services.import_sweep(now=later)["requeued"] == [job.pk]
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=[app.conf.task_default_queue]
    ):
        job = _wait(job, {ImportJob.State.PREVIEW, ImportJob.State.FAILED})
    assert job.state == ImportJob.State.PREVIEW and job.attempts == 2
