"""Load the demo organisation built from the source documents (shared/seeds).

Each app may hold a ``demo.py`` with ``load(stdout)``; they run in INSTALLED_APPS
order (who → the year → next year), so a later app builds on what the earlier
ones loaded. Running the command again keeps the data.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from directorates.models import Directorate


class Command(BaseCommand):
    help = "Load the demo organisation, cycle and reports (only into an empty database)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for local use: set DJANGO_DEBUG=true.")
        if Directorate.objects.exists():
            self.stdout.write("Demo data already present: kept as it is.")
        else:
            with transaction.atomic():
                for config in apps.get_app_configs():
                    try:
                        module = import_module(f"{config.name}.demo")
                    except ModuleNotFoundError as error:
                        if error.name != f"{config.name}.demo":
                            raise
                        continue
                    module.load(self.stdout)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if not options["quiet_logins"]:
            self.print_logins()

    def print_logins(self):
        from directorates.demo import login_summary

        self.stdout.write("\n" + login_summary())
