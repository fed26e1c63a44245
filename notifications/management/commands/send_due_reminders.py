"""Run the reminder due-check once, now, in this process (cron in the embedded default, or by hand)."""

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Claim the reminders due now and send them (tasks run eagerly without Redis, else queued)."

    def handle(self, *args, **options):
        result = services.reminders_dispatch()
        self.stdout.write(f"{result['created']} new messages claimed, {result['queued']} handed to the sender.")
