"""`make load`: 100 people at once against gunicorn, PostgreSQL and Redis, with a Celery worker.

1. Builds the national data set (bench/national.py, 546 units) in DATABASE_URL's database, which is
   emptied first — point it at a database of its own.
2. Starts gunicorn (LOAD_WORKERS processes, 3 by default, on LOAD_PORT) and a Celery worker, both
   with REDIS_URL as broker and cache.
3. Runs Locust headless (bench/locustfile.py): LOAD_USERS users (100), 1–3 s think time, for
   LOAD_TIME (3 minutes by default).
4. Prints requests per second and p50/p95/p99 per endpoint, writes bench/load.json, and checks that
   every save the server acknowledged is in the database (``lost`` must be 0).
"""

import csv
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

PORT = int(os.environ.get("LOAD_PORT", "8105"))
USERS = int(os.environ.get("LOAD_USERS", "100"))
RUN_TIME = os.environ.get("LOAD_TIME", "3m")
WORKERS = os.environ.get("LOAD_WORKERS", "3")
UNITS = int(os.environ.get("LOAD_UNITS", "546"))
# People arrive two a second (50 s for 100): each login costs ~0.25 s of CPU (PBKDF2, 1,000,000 rounds), and
# 100 logins in 10 s would measure a crowd that no working morning produces.
SPAWN_RATE = os.environ.get("LOAD_SPAWN_RATE", "2")
VENV = pathlib.Path(sys.executable).parent
ACKS = ROOT / "bench" / "load_acks.jsonl"
PEOPLE = ROOT / "bench" / "load_people.json"
STATS = ROOT / "bench" / "load"


def _environment():
    env = dict(os.environ)
    if "postgres" not in env.get("DATABASE_URL", "") or not env.get("REDIS_URL"):
        sys.exit("make load needs DATABASE_URL (PostgreSQL, a database of its own: it is emptied) and REDIS_URL")
    env.setdefault("DJANGO_SECRET_KEY", "load-test-key-not-secret")
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env["DJANGO_DEBUG"] = "false"
    # Plain HTTP on 127.0.0.1: Secure cookies would not come back, and every page would redirect to HTTPS.
    env.setdefault("DJANGO_SECURE_COOKIES", "false")
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    # Every simulated person comes from 127.0.0.1: the per-address limit on token requests would refuse most.
    env.setdefault("API_TOKEN_THROTTLE_RATE", "100000/min")
    # The worker sends the notices the saves cause; no mail server here, and mail is not what is measured.
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    # The office logs in with a password only: a one-time code per simulated session is not what is measured.
    env.setdefault("DJANGO_TWO_FACTOR_REQUIRED", "false")
    return env


def build(env):
    import django

    os.environ.update(env)
    django.setup()
    from django.core.management import call_command

    from bench import national
    from reviews.models import Report

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: pages need the manifest
    call_command("flush", interactive=False, verbosity=0)
    print(f"== building {UNITS} units")
    data = national.build(units=UNITS)
    editable = {
        r.directorate_id: r.pk
        for r in Report.objects.filter(cycle=data["cycle"], state__in=[Report.State.DRAFT, Report.State.RETURNED])
    }
    from directorates.models import Membership

    people = {"editor": [], "head": []}
    for m in Membership.objects.filter(directorate_id__in=editable).select_related("user").order_by("id"):
        kind = "head" if m.role == Membership.Role.HEAD else "editor"
        people[kind].append({"username": m.user.username, "report": editable[m.directorate_id]})
    PEOPLE.write_text(
        json.dumps(
            {
                **people,
                "office": "office",
                "password": national.PASSWORD,
                "year": data["cycle"].year,
                "roadmap_year": data["roadmap"].year,
                "bilan_year": data["last_cycle"].year,
            }
        )
    )
    from django.db import connections

    connections.close_all()


def _wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def run_load(env):
    ACKS.unlink(missing_ok=True)
    servers = [
        subprocess.Popen(
            [
                str(VENV / "gunicorn"),
                "config.wsgi",
                "--workers",
                WORKERS,
                "--bind",
                f"127.0.0.1:{PORT}",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [str(VENV / "celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "warning"],
            cwd=ROOT,
            env=env,
        ),
    ]
    try:
        _wait_for(f"http://127.0.0.1:{PORT}/login/")
        locust_env = {**env, "LOAD_ACKS": str(ACKS), "LOAD_PEOPLE": str(PEOPLE)}
        subprocess.run(
            [
                str(VENV / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                SPAWN_RATE,
                "--run-time",
                RUN_TIME,
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(STATS),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=locust_env,
            check=False,
        )
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
        for process in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def lost_saves():
    """Acknowledged saves whose token is in no history row of the report: they would be lost."""
    from reviews.models import Report

    acks = [json.loads(line) for line in ACKS.read_text().splitlines()] if ACKS.exists() else []
    found = set(Report.history.filter(summary__in=[a["token"] for a in acks]).values_list("summary", flat=True))
    return len(acks), [a for a in acks if a["token"] not in found]


def report(acked, lost):
    rows = list(csv.DictReader(open(f"{STATS}_stats.csv")))
    endpoints = []
    print(f"\n{'endpoint':36} {'requests':>8} {'fails':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in rows:
        entry = {
            "endpoint": row["Name"],
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 2),
            "p50_ms": _num(row["50%"]),
            "p95_ms": _num(row["95%"]),
            "p99_ms": _num(row["99%"]),
        }
        endpoints.append(entry)
        print(
            f"{entry['endpoint'][:36]:36} {entry['requests']:>8} {entry['errors']:>6} {entry['rps']:>6} "
            f"{entry['p50_ms']:>6} {entry['p95_ms']:>6} {entry['p99_ms']:>6}"
        )
    total = next((e for e in endpoints if e["endpoint"] == "Aggregated"), {})
    result = {
        "users": USERS,
        "run_time": RUN_TIME,
        "units": UNITS,
        "workers": int(WORKERS),
        "p95_ms": total.get("p95_ms"),
        "errors": total.get("errors"),
        "rps": total.get("rps"),
        "acknowledged_saves": acked,
        "lost": len(lost),
        "endpoints": endpoints,
    }
    (ROOT / "bench" / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"\naggregated: {total.get('rps')} requests/s, p95 {total.get('p95_ms')} ms, {total.get('errors')} errors; "
        f"{acked} saves acknowledged, {len(lost)} lost -> bench/load.json"
    )
    return result


def _num(value):
    return None if value in ("", "N/A") else int(float(value))


def main():
    env = _environment()
    if os.environ.get("LOAD_SKIP_BUILD") != "1":
        build(env)
    else:
        import django

        os.environ.update(env)
        django.setup()
    run_load(env)
    acked, lost = lost_saves()
    result = report(acked, lost)
    sys.exit(1 if result["lost"] else 0)


if __name__ == "__main__":
    main()
