"""Load the demo organisation built from the source documents (shared/seeds).

Each app may hold a ``demo.py``, found through the app registry, with:

- ``load(stdout)``: loads the app's part; they run in INSTALLED_APPS order (who → the year →
  next year), so a later app builds on what the earlier ones loaded;
- ``loaded()`` (optional): whether the app's demo part is already in the database;
- ``login_summary()`` (optional): the demo logins to print.

Running the command again keeps the data.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


def demo_modules():
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
    return modules


class Command(BaseCommand):
    help = "Load the demo organisation, cycle and reports (only into an empty database)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for local use: set DJANGO_DEBUG=true.")
        modules = demo_modules()
        if any(module.loaded() for module in modules if hasattr(module, "loaded")):
            self.stdout.write("Demo data already present: kept as it is.")
        else:
            with transaction.atomic():
                for module in modules:
                    module.load(self.stdout)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if not options["quiet_logins"]:
            for module in modules:
                if hasattr(module, "login_summary"):
                    self.stdout.write("\n" + module.login_summary())
