"""`make restore BACKUP=path`: load a backup into an empty install and check it (core/backup.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Restore a backup archive (database and uploaded files) into an empty install, then compare."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="Restore even if the database holds data.")

    def handle(self, *args, archive, force, **options):
        try:
            differences = backup.restore(archive, force=force)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if differences:
            raise CommandError("Restored, but it differs from the backup: " + json.dumps(differences)[:4000])
        self.stdout.write(f"Restored {archive}: every table count and file matches the backup.")
