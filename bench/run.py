"""`make bench`: every page and write that grows with the country, beside its floor.

For each measure: the SQL queries it runs at two data sizes (they must be equal), the median time
of several runs after a warm-up at the larger size, and its *floor* — the same rows fetched by one
raw SQL query and serialised with ``json.dumps``, nothing in between — and the ratio of the two.
Writes have no floor (null). Prints one table and writes ``bench/results.json``: a list of
``{"measure", "median_ms", "queries", "floor_ms", "ratio"}`` (``queries`` is ``[small, large]``).

SQLite in a throwaway database by default; PostgreSQL when DATABASE_URL is set (a test database
beside it, dropped at the end). ``BENCH_UNITS=60,546`` sets the two sizes, ``BENCH_RUNS`` the runs.
Pages are requested through Django's test client, with DEBUG off, as a browser would get them.
"""

import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SIZES = [int(n) for n in os.environ.get("BENCH_UNITS", "60,546").split(",")]
# BENCH_ONLY="bilan,reminders": only the measures whose name contains one of these words (the table is
# printed, bench/results.json is left as it is).
ONLY = [word.strip() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]


class QueryCounter:
    """Counts every statement sent to the database (an execute wrapper: no query log, no limit).

    The old bench read ``connection.queries``, whose limit was raised after the connection existed: the
    log's deque kept its old maximum, was full, and the reminders measure saw 0 queries.
    """

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def count_queries(measure):
    from django.db import connection

    counter = QueryCounter()
    if measure.write:
        rolled_back(measure.func, measure.prepare, counter)()
    else:
        # A warm request first: the session's idle clock is written back at most once a minute
        # (accounts.middleware), which would add its 2 queries to whichever request comes after a pause.
        measure.func()
        with connection.execute_wrapper(counter):
            measure.func()
    return counter.count


def median_ms(func, runs=RUNS):
    """Median wall time of ``runs`` runs after a warm-up. ``func`` returns its own time, or None to be timed."""
    func()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        own = func()
        times.append(own if isinstance(own, float) else (time.perf_counter() - started) * 1000)
    return statistics.median(times)


def floor(sql, params=()):
    """The floor of a read: one raw query for the same rows, serialised with json.dumps."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return json.dumps(rows, default=str)

    return run


def rolled_back(func, prepare=None, counter=None):
    """Run ``prepare`` then ``func`` in a transaction rolled back afterwards; return the time of ``func`` (ms).

    Only ``func`` is timed, and only its queries are counted (by ``counter``, an execute wrapper).
    """
    from django.db import connection, transaction

    def run():
        with transaction.atomic():
            if prepare:
                prepare()
            started = time.perf_counter()
            if counter is None:
                func()
            else:
                with connection.execute_wrapper(counter):
                    func()
            elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return elapsed

    return run


def main():
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import measures, national

    # Not setup_test_environment(): its instrumented template rendering copies every context for the
    # test client, which would be timed as if it were the page's own cost.
    settings.DEBUG = False
    # The office and the DG log in with a one-time code as well (accounts.auth); the bench measures the
    # pages behind it, as the tests do.
    settings.TWO_FACTOR_REQUIRED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tempfile.mkdtemp()  # the import measure's uploads
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    print(f"database: {connection.vendor}; sizes: {SIZES} units; {RUNS} runs per measure after a warm-up")
    results = {}
    started = time.perf_counter()
    try:
        for index, units in enumerate(SIZES):
            if index:
                call_command("flush", interactive=False, verbosity=0)
            t = time.perf_counter()
            print(f"\n== building {units} units")
            data = national.build(units=units)
            print(f"   ({time.perf_counter() - t:.0f} s)")
            last = index == len(SIZES) - 1
            for measure in measures.all_measures(data):
                if ONLY and not any(word in measure.name for word in ONLY):
                    continue
                queries = count_queries(measure)
                row = results.setdefault(
                    measure.name,
                    {"measure": measure.name, "median_ms": None, "queries": [], "floor_ms": None, "ratio": None},
                )
                row["queries"].append(queries)
                if last:
                    row["median_ms"] = round(median_ms(measure.prepared(), measure.runs), 1)
                    if measure.floor is not None:
                        row["floor_ms"] = round(median_ms(measure.floor, measure.runs), 1)
                        row["ratio"] = round(row["median_ms"] / max(row["floor_ms"], 0.01), 1)
                    print(f"   {measure.name}: {row['median_ms']} ms, {row['queries']} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    rows = list(results.values())
    _print_table(rows)
    if ONLY:
        print(f"\nBENCH_ONLY: bench/results.json left as it is ({time.perf_counter() - started:.0f} s in all)")
        return
    (ROOT / "bench" / "results.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to bench/results.json ({time.perf_counter() - started:.0f} s in all)")


def _print_table(rows):
    header = f"{'measure':58} {'median ms':>10} {'queries':>12} {'floor ms':>9} {'ratio':>6}"
    print("\n" + header + "\n" + "-" * len(header))
    for row in rows:
        queries = " → ".join(str(q) for q in row["queries"])
        floor_ms = "—" if row["floor_ms"] is None else f"{row['floor_ms']:.1f}"
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.1f}×"
        print(f"{row['measure']:58} {row['median_ms'] or 0:>10.1f} {queries:>12} {floor_ms:>9} {ratio:>6}")


def compare_imports():
    """`make bench-imports`: the fast import path against django-import-export's defaults, on one file each."""
    import importlib

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        for name in ("compare_deliverables_import", "compare_figures_import"):
            call_command("flush", interactive=False, verbosity=0)
            print(f"\n== {name}")
            importlib.import_module(f"bench.{name}").run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    compare_imports() if sys.argv[1:] == ["imports"] else main()
