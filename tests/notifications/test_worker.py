"""Real Redis, real Celery workers (subprocesses), real PostgreSQL: once, never twice, nothing lost.

The workers are ``celery -A config worker`` processes on a queue of this test's own (other
processes may share the Redis server); they read the PostgreSQL test database, whose rows
these tests commit (``transaction=True``). E-mails go through tests.notifications.backends,
which logs one line per message sent, so duplicates at the mail server would show.
The clock is not frozen here: a worker is another process, so the cycle is set around today.
"""

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from directorates.models import Membership
from notifications import services, tasks
from notifications.models import Delivery, ReminderPolicy
from reviews import services as review_services
from reviews.models import ReviewCycle
from tests.celery_support import celery_using, configure
from tests.factories import DeliverableFactory, DirectorateFactory, MembershipFactory, UserFactory, office_user

pytestmark = [
    pytest.mark.celery,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 90


def wait_for(condition, what, timeout=TIMEOUT):
    """Poll until another process has done its part (not a wait for the clock)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def database_url():
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_broker(url, queue):
    """Point this process's Celery app at ``url`` (publishing for real, not eagerly)."""
    configure(broker_url=url, task_always_eager=False, task_default_queue=queue)


class Workers:
    def __init__(self, tmp_path, redis_url, queue):
        self.tmp_path, self.redis_url, self.queue = tmp_path, redis_url, queue
        self.mail_log = tmp_path / "mail.log"
        self.mail_log.touch()
        self.processes = []

    def start(self, concurrency=2, batch=100, delay=0.0, redis_url=None):
        name = f"w{len(self.processes)}-{self.queue}"
        log = self.tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url or self.redis_url,
            "CELERY_BROKER_URL": redis_url or self.redis_url,
            "CELERY_RESULT_BACKEND": redis_url or self.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_QUEUE": self.queue,
            "EMAIL_BACKEND": "tests.notifications.backends.RecordingBackend",
            "MAIL_LOG": str(self.mail_log),
            "MAIL_DELAY": str(delay),
            "NOTIFICATIONS_SEND_BATCH": str(batch),
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(concurrency),
                "-P",
                "prefork",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log
        self.processes.append(process)
        wait_for(lambda: "ready." in log.read_text() or process.poll() is not None, f"worker {name} to start", 60)
        assert process.poll() is None, log.read_text()[-3000:]
        return process

    def kill(self, process):
        """kill -9 the worker and its pool children at once: no clean shutdown, no ack."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def lines(self):
        return self.mail_log.read_text().split()

    def logs(self):
        return "\n".join(p.log.read_text()[-2000:] for p in self.processes)


@pytest.fixture
def queue():
    return f"test-notifications-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def workers(tmp_path, queue):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    with celery_using(url, queue=queue):
        pool = Workers(tmp_path, url, queue)
        yield pool
        pool.stop_all()
    client = redis.Redis.from_url(url)
    client.delete(queue)
    # Messages a killed worker held unacknowledged: drop ours so no other worker restores them.
    for tag, payload in client.hgetall("unacked").items():
        if queue.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    connection.close()  # the workers' connections are gone; ours is re-opened for the flush


@pytest.fixture
def org(db):
    """``n`` units, each with a head and an editor (with e-mail), a cycle due in 7 days, the DG's office."""

    def build(n):
        today = timezone.localdate()
        cycle = ReviewCycle.objects.create(
            year=2030,
            submission_deadline=today + datetime.timedelta(days=7),
            meeting_date=today + datetime.timedelta(days=20),
        )
        ReminderPolicy.objects.create(cycle=cycle, send_from_hour=0)
        office_user(username="office")
        units = []
        for i in range(n):
            unit = DirectorateFactory(code=f"W{i:04d}")
            MembershipFactory(directorate=unit, role=Membership.Role.HEAD, user=UserFactory(username=f"h{i}"))
            MembershipFactory(directorate=unit, role=Membership.Role.EDITOR, user=UserFactory(username=f"e{i}"))
            units.append(unit)
        return cycle, units

    return build


def message_ids():
    host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0]
    return {f"<notification-{pk}@{host}>" for pk in Delivery.objects.values_list("pk", flat=True)}


def all_sent():
    return not Delivery.objects.exclude(state=Delivery.State.SENT).exists() and Delivery.objects.exists()


def queue_empty(queue):
    return redis.Redis.from_url(celery_app.conf.broker_url).llen(queue) == 0


def test_due_reminders_go_out_once_through_a_real_worker(workers, org, queue):
    org(30)
    workers.start(concurrency=2)
    tasks.dispatch_due.delay()
    wait_for(all_sent, "every reminder to be sent")
    expected = message_ids()
    assert Delivery.objects.filter(kind="deadline_reminder").count() == 60  # 30 units × head and editor
    wait_for(lambda: len(workers.lines()) >= len(expected), "the mail log")
    # The due-check again, twice: nothing new is claimed, nothing is sent twice.
    tasks.dispatch_due.delay()
    tasks.dispatch_due.delay()
    wait_for(lambda: queue_empty(queue), "the queue to drain")
    services.reminders_dispatch()  # and once more from here, handing rows to the worker if any were waiting
    wait_for(lambda: queue_empty(queue), "the queue to drain")
    lines = workers.lines()
    assert sorted(lines) == sorted(expected), workers.logs()
    assert Delivery.objects.filter(attempts=1).count() == len(expected)


def test_two_workers_running_the_due_check_at_once_send_nothing_twice(workers, org, queue):
    org(40)
    workers.start(concurrency=2, batch=5)
    workers.start(concurrency=2, batch=5)
    for _ in range(4):  # four due-checks race on four processes
        tasks.dispatch_due.delay()
    wait_for(all_sent, "every reminder to be sent")
    wait_for(lambda: queue_empty(queue), "the queue to drain")
    # Hand every id to both workers again: each row is already sent, or locked by the other, and skipped.
    ids = list(Delivery.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), 5):
        tasks.send_deliveries.delay(ids[start : start + 5])
        tasks.send_deliveries.delay(ids[start : start + 5])
    wait_for(lambda: queue_empty(queue), "the queue to drain")
    lines = workers.lines()
    assert len(lines) == len(set(lines)) == Delivery.objects.count(), workers.logs()
    assert set(lines) == message_ids()


KILLED_CONCURRENCY = 2


def test_a_worker_killed_mid_fan_out_and_restarted_sends_the_rest_once(workers, org, queue):
    org(100)  # 200 reminders + 101 invitations, in batches of 10, 20 ms per message
    first = workers.start(concurrency=KILLED_CONCURRENCY, batch=10, delay=0.02)
    tasks.dispatch_due.delay()
    total = lambda: Delivery.objects.count()  # noqa: E731
    wait_for(lambda: total() > 250 and len(workers.lines()) >= 60, "the fan-out to be under way")
    workers.kill(first)
    waiting = Delivery.objects.exclude(state=Delivery.State.SENT).count()
    # Messages the mail server got whose rows the kill rolled back to waiting: the case at stake.
    rolled_back = len(set(workers.lines())) - Delivery.objects.filter(state=Delivery.State.SENT).count()
    assert waiting > 0, "the worker finished before it was killed"
    workers.start(concurrency=2, batch=10, delay=0.001)
    # The next due-check after the lease hands the rows the dead worker held to the new one.
    services.reminders_dispatch(now=timezone.now() + services.LEASE + datetime.timedelta(seconds=1))
    wait_for(all_sent, "the rest to be sent")
    wait_for(lambda: queue_empty(queue), "the queue to drain")
    # In the database: every row once, all sent, none missing.
    assert Delivery.objects.count() == Delivery.objects.filter(state=Delivery.State.SENT).count() == total()
    lines = workers.lines()
    assert set(lines) == message_ids()  # none missing
    # At the mail server: each message the server accepted was recorded in the cache (Redis) at once,
    # outside the transaction the kill rolled back, so the new worker marks it sent without sending it
    # again. The inherent limit: the one message a pool process had in flight between the server's
    # acceptance and the write of its marker goes out a second time (same Message-ID, which mail
    # clients fold). At most one per killed worker process: this worker ran 2.
    duplicates = len(lines) - len(set(lines))
    print(
        f"killed with {waiting} of {total()} rows waiting, {rolled_back} of them already at the mail "
        f"server; {duplicates} message(s) sent twice"
    )
    assert duplicates <= KILLED_CONCURRENCY, workers.logs()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, on a free port: stopping it disturbs nobody."""
    port = free_port()

    def start():
        process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _ping(port), "redis-server to start", 20)
        return process

    def _ping(p):
        try:
            return redis.Redis(port=p, socket_connect_timeout=0.2).ping()
        except redis.exceptions.ConnectionError:
            return False

    state = {"process": start()}

    class Handle:
        url = f"redis://127.0.0.1:{port}/0"

        def stop(self):
            state["process"].terminate()
            state["process"].wait()

        def start(self):
            state["process"] = start()

    yield Handle()
    if state["process"].poll() is None:
        state["process"].terminate()
        state["process"].wait()


@pytest.mark.skipif(not __import__("shutil").which("redis-server"), reason="needs the redis-server binary")
def test_redis_stopped_and_started_again_loses_nothing(workers, org, queue, own_redis):
    cycle, units = org(3)
    head = units[0].memberships.get(role=Membership.Role.HEAD).user
    DeliverableFactory(directorate=units[0], year=cycle.year)
    report = review_services.report_start(actor=head, cycle=cycle, directorate=units[0])
    review_services.report_update(
        actor=head, report=report, outcomes={o.deliverable_id: {"status": "done"} for o in report.outcomes.all()}
    )
    use_broker(own_redis.url, queue)
    workers.start(concurrency=1, redis_url=own_redis.url)
    own_redis.stop()

    started = time.monotonic()
    report = review_services.report_submit(actor=head, report=report)  # commits; the notice cannot be queued
    assert time.monotonic() - started < 10  # the web request is not held up by the dead broker
    assert report.state == "submitted"
    assert not Delivery.objects.filter(kind="report_submitted").exists()

    own_redis.start()  # the worker reconnects by itself
    tasks.dispatch_due.delay()  # beat's next due-check
    wait_for(
        lambda: Delivery.objects.filter(kind="report_submitted", state=Delivery.State.SENT).exists(),
        "the missed submission notice",
    )
    wait_for(all_sent, "every reminder")
    lines = workers.lines()
    assert sorted(lines) == sorted(message_ids()), workers.logs()
