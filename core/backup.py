"""Backups: the database and the uploaded files in one archive, restored into an empty install.

The archive (``.tar.gz``) holds ``manifest.json`` (row counts per model, every file with its SHA-256),
the database — ``database.pgdump`` (``pg_dump`` custom format) on PostgreSQL, ``database.json``
(Django ``dumpdata``) otherwise — and ``media/`` (everything under MEDIA_ROOT). A restore refuses a
database that already holds people unless forced, then checks the restored install against the
manifest. Core knows no domain app: models are found through the app registry.
"""

import datetime
import hashlib
import io
import json
import os
import pathlib
import shutil
import subprocess  # nosec B404: pg_dump and pg_restore, fixed argument lists, no shell
import tarfile
import tempfile

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

# Rebuilt by migrate/flush themselves: never dumped (natural keys point at them instead).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class BackupError(Exception):
    """A backup or restore that cannot go on; its message says why (shown by the management command)."""


def _is_postgres():
    return connection.vendor == "postgresql"


def _pg_env_and_args():
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def counts():
    """Rows per concrete model (the admin log included), for the manifest and the comparison."""
    result = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in ("sessions.session",):
            continue
        result[meta.label_lower] = model._base_manager.count()
    return result


def _media_files():
    root = pathlib.Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            files[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def backup(path):
    """Write the archive to ``path``; returns the manifest."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "format": "pg_dump" if _is_postgres() else "dumpdata",
        "counts": counts(),
        "files": _media_files(),
    }
    # Counts that restore cannot bring back (rebuilt or deliberately left out) are not compared.
    manifest["counts"] = {
        k: v
        for k, v in manifest["counts"].items()
        if k not in ("contenttypes.contenttype", "auth.permission", "admin.logentry")
    }
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "w:gz") as archive:
        if _is_postgres():
            dump = pathlib.Path(work) / "database.pgdump"
            env, args = _pg_env_and_args()
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(dump)]
            # The operator's PostgreSQL tools, a fixed argument list, no shell (docs/security.md).
            done = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603 B607
            if done.returncode:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        else:
            dump = pathlib.Path(work) / "database.json"
            call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(dump), verbosity=0)
        archive.add(dump, dump.name)
        root = pathlib.Path(settings.MEDIA_ROOT)
        for name in manifest["files"]:
            archive.add(root / name, f"media/{name}")
        data = json.dumps(manifest, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return manifest


def _safe_members(archive, prefix):
    for member in archive.getmembers():
        name = pathlib.PurePosixPath(member.name)
        if not member.name.startswith(prefix) or name.is_absolute() or ".." in name.parts:
            continue
        if member.isfile():
            yield member


def restore(path, *, force=False):
    """Load the archive into this install; returns the differences with its manifest (empty: identical)."""
    path = pathlib.Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    if get_user_model().objects.exists() and not force:
        raise BackupError("The database already holds data: restore into an empty install (or force it).")
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "r:gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        names = archive.getnames()
        if "database.pgdump" in names:
            if not _is_postgres():
                raise BackupError("This backup is a PostgreSQL dump: restore it into PostgreSQL.")
            archive.extract("database.pgdump", work, filter="data")
            env, args = _pg_env_and_args()
            connection.close()
            command = [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *args,
                str(pathlib.Path(work) / "database.pgdump"),
            ]
            # The operator's PostgreSQL tools, a fixed argument list, no shell (docs/security.md).
            done = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603 B607
            if done.returncode:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()[:2000]}")
        else:
            archive.extract("database.json", work, filter="data")
            call_command("flush", interactive=False, verbosity=0)
            # The history rows come from the backup: simple-history must not add its own while loading
            # (it skips raw saves, but not the many-to-many sets loaddata makes).
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(pathlib.Path(work) / "database.json"), verbosity=0)
        root = pathlib.Path(settings.MEDIA_ROOT)
        for member in _safe_members(archive, "media/"):
            target = root / member.name[len("media/") :]
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    return compare(manifest)


def compare(manifest):
    """What differs between this install and a manifest: {"counts": {...}, "files": [...]}."""
    now = counts()
    files = _media_files()
    count_diff = {
        label: {"backup": n, "now": now.get(label)} for label, n in manifest["counts"].items() if now.get(label) != n
    }
    file_diff = sorted(name for name, digest in manifest["files"].items() if files.get(name) != digest)
    return {k: v for k, v in (("counts", count_diff), ("files", file_diff)) if v}
