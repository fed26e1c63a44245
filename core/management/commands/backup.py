"""`make backup`: the database and the uploaded files in one archive (core/backup.py)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Write the database and every uploaded file to one .tar.gz archive, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Archive path (default backups/backup-<UTC date-time>.tar.gz).")

    def handle(self, *args, output=None, **options):
        output = output or f"backups/backup-{datetime.datetime.utcnow():%Y%m%d-%H%M%S}.tar.gz"
        try:
            manifest = backup.backup(output)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"Wrote {output}: {manifest['format']}, {rows} rows, {len(manifest['files'])} files.")
