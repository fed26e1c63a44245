"""The production layout on one machine: two web processes (gunicorn, two ports) and two Celery
workers against one PostgreSQL and one Redis, uploads in a folder both share, and a second beat
started by mistake. Sessions, uploads and imports work through either web node; no reminder goes
out twice."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from notifications.models import Delivery
from tests.notifications.test_worker import (  # noqa: F401 - fixtures
    ROOT,
    all_sent,
    database_url,
    free_port,
    message_ids,
    org,
    pytestmark,
    queue,
    wait_for,
    workers,
)
from tests.transfers.hostile import HEADERS
from transfers.models import ImportJob


class Node:
    """One gunicorn web process with the environment the workers get."""

    def __init__(self, workers, media, tmp_path):
        self.port = free_port()
        self.log = tmp_path / f"web-{self.port}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DJANGO_DEBUG": "true",  # the fast test hasher
            "DATABASE_URL": database_url(),
            "REDIS_URL": workers.redis_url,
            "CELERY_BROKER_URL": workers.redis_url,
            "CELERY_RESULT_BACKEND": workers.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_QUEUE": workers.queue,
            "MEDIA_ROOT": str(media),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: "Booting worker" in self.log.read_text() or self.process.poll() is not None,
            f"web node {self.port}",
            60,
        )
        assert self.process.poll() is None, self.log.read_text()[-3000:]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


class Browser:
    """A cookie jar shared across nodes, as one browser behind a load balancer."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url):
        with self.opener.open(url, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()

    def csrf(self):
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def post(self, url, fields, files=None):
        data = {**fields, "csrfmiddlewaretoken": self.csrf()}
        if files:
            boundary = uuid.uuid4().hex
            body = b""
            for name, value in data.items():
                body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
            for name, (filename, content) in files.items():
                body += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                        f"Content-Type: text/csv\r\n\r\n"
                    ).encode()
                    + content
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            request = urllib.request.Request(
                url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url}
            )
        else:
            request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), headers={"Referer": url})
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()


def _beat(workers, tmp_path, n):
    log = tmp_path / f"beat{n}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": workers.redis_url,
        "CELERY_BROKER_URL": workers.redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": workers.queue,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "-l",
            "INFO",
            "--pidfile",
            "",
            "-s",
            str(tmp_path / f"beat{n}-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    return process


def test_two_web_nodes_two_workers_and_two_beats_share_sessions_uploads_imports_and_send_once(
    workers, org, queue, tmp_path, monkeypatch
):
    cycle, units = org(8)
    head = units[0].memberships.get(role="head").user
    head.set_password("two-nodes")
    head.save()
    media = tmp_path / "shared-media"
    monkeypatch.setenv("MEDIA_ROOT", str(media))  # the uploads folder every node and worker shares
    workers.start(concurrency=1)
    workers.start(concurrency=1)
    a, b = Node(workers, media, tmp_path), Node(workers, media, tmp_path)
    beats = []
    try:
        browser = Browser()
        # Logged in through node A, known to node B (sessions in the shared database).
        browser.get(a.url("/login/"))
        status, where, page = browser.post(a.url("/login/"), {"username": head.username, "password": "two-nodes"})
        assert "/login/" not in where, re.findall(r'(?s)class="[^"]*(?:alert|errorlist)[^"]*">(.{0,300})', page)
        status, where, page = browser.get(b.url("/imports/"))
        assert status == 200 and "/login/" not in where
        # Uploaded through B, checked by whichever worker, confirmed through A.
        browser.get(b.url("/imports/new/deliverables/"))
        content = (
            ",".join(HEADERS) + "\n" + f"{units[0].code},{cycle.year},Deux nœuds,,operations,3,équipes,,"
            f"{cycle.year}-12-31\n"
        ).encode()
        status, where, _ = browser.post(
            b.url("/imports/new/deliverables/"), {"year": cycle.year}, files={"file": ("cahier.csv", content)}
        )
        job = ImportJob.objects.get()
        assert where.endswith(f"/imports/{job.pk}/")
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).state != ImportJob.State.PENDING, "the check")
        job.refresh_from_db()
        assert job.state == ImportJob.State.PREVIEW, (job.message, job.row_errors)
        assert (media / job.file.name).exists()  # the shared folder: node A serves node B's upload
        status, _, body = browser.get(a.url(f"/imports/{job.pk}/file/"))
        assert status == 200 and "Deux nœuds" in body
        browser.post(a.url(f"/imports/{job.pk}/confirm/"), {})
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).state == ImportJob.State.APPLIED, "the apply")
        status, _, page = browser.get(b.url(f"/imports/{job.pk}/"))
        assert status == 200 and 'data-state="applied"' in page

        # Two beats (one started by mistake) run the due-check every second: each reminder once.
        every, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.update_or_create(
            name="due-check", defaults={"task": "notifications.dispatch_due", "interval": every, "enabled": True}
        )
        beats = [_beat(workers, tmp_path, 1), _beat(workers, tmp_path, 2)]
        wait_for(all_sent, "every reminder to be sent")
        wait_for(
            lambda: all(process.log.read_text().count("notifications.dispatch_due") >= 3 for process in beats),
            "both beats to send the due-check three times",
        )
        lines = workers.lines()
        assert len(lines) == len(set(lines)) == Delivery.objects.count() > 0, lines
        assert set(lines) == message_ids()
    finally:
        for process in beats:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
        a.stop()
        b.stop()
