"""Peak memory of reading hostile spreadsheets (declared sizes, far rows and columns) and a normal one.

Each file is read in a fresh Python process (``resource.getrusage``'s peak resident size cannot be
reset). Before the change, "row 300,000,000" took +2.3 GB and "cell at column AAAAAA" about +100 MB.
"""

import io
import json
import pathlib
import subprocess
import sys
import tempfile

import openpyxl

from tests.transfers import hostile

ROOT = pathlib.Path(__file__).resolve().parent.parent

CHILD = r"""
import io, json, os, resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django
django.setup()
from transfers import kinds, readers
data = open(sys.argv[1], "rb").read()
kind = kinds.get("deliverables")
import openpyxl.worksheet._reader  # imported before the baseline: only the read is measured
def read():
    try:
        return "accepted, %d rows" % len(readers.read_dataset(io.BytesIO(data), fmt="xlsx", kind=kind))
    except readers.FileRejected as error:
        return "refused: " + str(error.message)
read()  # warm-up on the same file: translations, header maps, openpyxl's caches
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
outcome = read()
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
read()
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({{"outcome": outcome, "rss_kb": after - before, "rss_peak_kb": after, "traced": peak,
                  "seconds": elapsed}}))
"""


def _normal(rows=10_000):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Deliverables"
    sheet.append(hostile.HEADERS)
    for i in range(rows):
        sheet.append(
            [f"SP-{i % 50}", 2023, f"Livrable {i}", "Description", "operations", i, "unités", None, "2023-12-31"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run():
    files = {name: build() for name, build in hostile.HOSTILE.items()}
    files["normal, 10,000 rows"] = _normal()
    print("   peak RSS: the process's peak resident size after the read, and its growth during the read")
    print("   (after a warm-up read); traced: tracemalloc's peak of Python allocations during a read.")
    print(f"   {'file':<28}{'size':>9}{'peak RSS':>10}{'growth':>9}{'traced':>9}{'read':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            path = pathlib.Path(folder) / "file.xlsx"
            path.write_bytes(content)
            env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"}
            done = subprocess.run(
                [sys.executable, "-c", CHILD.format(root=str(ROOT)), str(path)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"   {name:<28}{len(content) / 1024:>7.1f}KB{figures['rss_peak_kb'] / 1024:>8.1f}MB"
                f"{figures['rss_kb'] / 1024:>7.1f}MB{figures['traced'] / 1048576:>7.1f}MB"
                f"{figures['seconds']:>7.2f}s  {figures['outcome'][:60]}"
            )
