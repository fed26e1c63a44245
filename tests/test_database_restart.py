"""PostgreSQL restarted during a run of saves: errors during the gap, recovery after, no acknowledged save lost.

The test runs a PostgreSQL server of its own (so stopping it disturbs nobody else's tests), migrates it, and
starts one real gunicorn web process against it with persistent connections (CONN_MAX_AGE > 0, as in
production). A unit editor logs in with a session and saves the report again and again, in the three ways the
app saves it: the API's PATCH with the version read, the page's background save and the form's submit.
PostgreSQL is stopped (``pg_ctl stop -m fast``) while saves run back to back (one may be cut mid-request): every
save is then acknowledged or answered 503 with Retry-After and a message saying nothing was saved (never a 500,
and one warning line in the server's log, no traceback); it is started again and the saves succeed again without
restarting gunicorn, including right after a restart nobody noticed (the kept connection is dead:
CONN_HEALTH_CHECKS). At the end, every save that was acknowledged is in the database and none that failed is.
"""

import html
import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ON_CI
from tests.notifications.test_worker import ROOT, free_port, wait_for

pytestmark = [pytest.mark.postgres]


def _server_binaries():
    """PG_BIN if set, else the newest Debian PostgreSQL install (/usr/lib/postgresql/<version>/bin)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0
    )
    return installed[-1].parent if installed else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _server_binaries()
PG_USER = "postgres"


def _problem():
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return f"needs PostgreSQL's server binaries in {PG_BIN} (apt-get install postgresql-15, or set PG_BIN)"
    if not shutil.which("runuser"):
        return "needs runuser (util-linux) to run PostgreSQL as its own user"
    try:
        import pwd

        pwd.getpwnam(PG_USER)
    except KeyError:
        return f"needs the {PG_USER!r} OS user to run a PostgreSQL server of the test's own"
    if os.geteuid() != 0:
        return "needs root to start a PostgreSQL server as the postgres user"
    return None


class OwnPostgres:
    """A throw-away PostgreSQL server: its own data folder, port and socket folder, trust auth on 127.0.0.1."""

    def __init__(self):
        import pwd

        self.dir = Path(tempfile.mkdtemp(prefix="pg-restart-"))
        account = pwd.getpwnam(PG_USER)
        os.chown(self.dir, account.pw_uid, account.pw_gid)
        self.data, self.log, self.port = self.dir / "data", self.dir / "server.log", free_port()
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", PG_USER, "-E", "UTF8", "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "app")

    def _run(self, tool, *args):
        result = subprocess.run(
            ["runuser", "-u", PG_USER, "--", str(PG_BIN / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.dir,
        )
        assert result.returncode == 0, f"{tool}: {result.stdout}{result.stderr}"
        return result

    def start(self):
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
            "start",
        )

    def stop(self):
        """A fast shutdown: open transactions are rolled back, every connection is cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def running(self):
        return (
            subprocess.run(
                ["runuser", "-u", PG_USER, "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"],
                capture_output=True,
                timeout=30,
            ).returncode
            == 0
        )

    @property
    def url(self):
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/app"

    def remove(self):
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_postgres():
    problem = _problem()
    if problem:
        if ON_CI:  # CI's PostgreSQL pass has them: missing there is a broken runner, not a reason to skip
            pytest.fail(problem)
        pytest.skip(problem)
    server = OwnPostgres()
    try:
        yield server
    finally:
        server.remove()


def _environment(database_url):
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_DEBUG", "DATABASE_URL")}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }


SETUP = """
import datetime
from django.utils import timezone
from directorates.models import Membership
from reviews import services
from reviews.models import ReviewCycle
from tests.factories import DirectorateFactory, MembershipFactory, UserFactory
today = timezone.localdate()
cycle = ReviewCycle.objects.create(year=today.year, submission_deadline=today + datetime.timedelta(days=30),
                                   meeting_date=today + datetime.timedelta(days=60))
unit = DirectorateFactory(code="PG-R")
editor = UserFactory(username="editor-pg")
editor.set_password("restart-me")
editor.save()
MembershipFactory(directorate=unit, role=Membership.Role.EDITOR, user=editor)
report = services.report_start(actor=editor, cycle=cycle, directorate=unit)
print("REPORT", report.pk, report.version)
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor:
    """A browser's session: cookies, the CSRF token, answers kept whatever their status."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, method, path, data=None, headers=None):
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Referer": self.base + path, "Accept-Language": "fr", **(headers or {})},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf(self):
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def log_in(self, username, password):
        self.request("GET", "/login/")
        status, headers, _ = self.request(
            "POST",
            "/login/",
            urllib.parse.urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
            ).encode(),
        )
        assert status == 302 and "/login/" not in headers.get("Location", ""), (status, headers)

    def save(self, way, report, version, summary):
        """One save; the version the report has after it if it was acknowledged, else None, and the answer."""
        if way == "api":
            status, headers, body = self.request(
                "PATCH",
                f"/api/v1/reports/{report}/",
                json.dumps({"version": version, "summary": summary}).encode(),
                {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf()},
            )
            return (json.loads(body)["version"] if status == 200 else None), status, headers, body
        fields = {"csrfmiddlewaretoken": self.csrf(), "version": version, "summary": summary}
        for prefix in ("outcomes", "achievements", "constraints"):
            fields.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
        headers = {"X-Autosave": "1", "Accept": "application/json"} if way == "autosave" else {}
        status, answer_headers, body = self.request(
            "POST", f"/reports/{report}/edit/", urllib.parse.urlencode(fields).encode(), headers
        )
        if way == "autosave":
            return (json.loads(body)["version"] if status == 200 else None), status, answer_headers, body
        saved = status == 302 and answer_headers.get("Location", "").endswith(f"/reports/{report}/edit/")
        return (version + 1 if saved else None), status, answer_headers, body


WAYS = ("api", "autosave", "form")


def test_postgresql_restarted_during_saves_loses_no_acknowledged_save(own_postgres, tmp_path):
    env = _environment(own_postgres.url)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    _, report, version = next(line for line in setup.stdout.splitlines() if line.startswith("REPORT")).split()
    report, version = int(report), int(version)

    port, log = free_port(), tmp_path / "web.log"
    # One worker, one thread: every request goes through the same kept connection, the one the restart kills.
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    acknowledged, refused, n = [], [], 0
    try:
        wait_for(lambda: "Booting worker" in log.read_text() or web.poll() is not None, "gunicorn", 60)
        assert web.poll() is None, log.read_text()[-3000:]
        editor = Editor(f"http://127.0.0.1:{port}")
        editor.log_in("editor-pg", "restart-me")

        def save_round(count, *, expect):
            """``expect``: "saved", "refused" (the gap) or "either" (PostgreSQL stopping meanwhile)."""
            nonlocal version, n
            for _ in range(count):
                way, summary = WAYS[n % len(WAYS)], f"save {n}"
                n += 1
                new_version, status, headers, body = editor.save(way, report, version, summary)
                if new_version is not None and expect != "refused":
                    assert new_version == version + 1, (way, status, body[:2000])
                    acknowledged.append(summary)
                    version = new_version
                    continue
                assert expect != "saved", (way, status, body[:2000], log.read_text()[-3000:])
                # Refused: a clean 503, in the caller's language, saying nothing was saved.
                assert status == 503, (way, status, body[:2000])
                assert headers.get("Retry-After") == "30"
                if way == "form":
                    text = html.unescape(body)
                else:  # the API's error JSON; the page's background save shows its detail
                    answer = json.loads(body)
                    assert set(answer) == {"detail", "errors"}, answer
                    text = answer["detail"]
                assert "Rien n'a été enregistré" in text and "Traceback" not in body
                refused.append(summary)

        save_round(3, expect="saved")
        # Saves back to back, and PostgreSQL stopped while they run: a save may be cut in the middle.
        stop_saving, failures = threading.Event(), []

        def keep_saving():
            try:
                while not stop_saving.is_set():
                    save_round(1, expect="either")
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                failures.append(error)

        saver = threading.Thread(target=keep_saving)
        saver.start()
        try:
            wait_for(lambda: len(acknowledged) >= 6 or failures, "saves before the stop", 60)
            own_postgres.stop()
            wait_for(lambda: len(refused) >= 3 or failures, "saves refused during the gap", 60)
        finally:
            stop_saving.set()
            saver.join(timeout=60)
        assert not failures, failures
        save_round(6, expect="refused")
        status, headers, page = editor.request("GET", f"/reports/{report}/")  # a page: the session is unreadable
        assert status == 503 and "Momentanément indisponible" in page and 'lang="fr"' in page, page[:2000]
        own_postgres.start()
        save_round(6, expect="saved")  # recovered, gunicorn untouched, the same session
        # A restart between two requests: the worker's kept connection is dead; the health check replaces it.
        own_postgres.stop()
        own_postgres.start()
        save_round(6, expect="saved")
        assert web.poll() is None
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=20)

    with psycopg.connect(own_postgres.url.replace("postgres://", "postgresql://")) as connection:
        summary, final_version = connection.execute(
            "SELECT summary, version FROM reviews_report WHERE id = %s", [report]
        ).fetchone()
        saved = {
            row[0]
            for row in connection.execute(
                "SELECT summary FROM reviews_historicalreport WHERE id = %s AND summary LIKE 'save %%'", [report]
            )
        }
    print(f"saves acknowledged: {len(acknowledged)}, refused: {len(refused)}")  # shown with -s
    assert len(acknowledged) >= 18 and len(refused) >= 9
    assert saved == set(acknowledged)  # every acknowledged save is in the history; no refused one is
    assert summary == acknowledged[-1] and final_version == version
    server_log = log.read_text()  # for the operator: one warning line per refused request, no traceback
    assert "Database unreachable, answered 503" in server_log and "Traceback" not in server_log, server_log[-3000:]
