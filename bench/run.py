"""`make bench`: run every bench/bench_*.py in turn; each prints its own figures.

A benchmark module defines ``run()``; it sets up its own data in a throwaway
database (SQLite in memory unless DATABASE_URL says otherwise).
"""

import importlib
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main(selected):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    # Query counts come from CaptureQueriesContext: keep every query, not only the last 9,000.
    connection.queries_limit = 10**7
    try:
        for path in sorted((ROOT / "bench").glob("bench_*.py")):
            if selected and not any(s in path.stem for s in selected):
                continue
            call_command("flush", interactive=False, verbosity=0)  # each benchmark starts from an empty database
            module = importlib.import_module(f"bench.{path.stem}")
            print(f"\n== {path.stem}")
            started = time.perf_counter()
            module.run()
            print(f"   ({time.perf_counter() - started:.1f} s in all)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1:])
