"""Register the reminder due-check in django-celery-beat (idempotent; keeps a schedule an administrator changed)."""

from django.core.management.base import BaseCommand
from django_celery_beat.models import IntervalSchedule, PeriodicTask

DUE_CHECK = "notifications: send due reminders"


class Command(BaseCommand):
    help = "Create the periodic task that sends due reminders (every 15 minutes unless changed in the admin)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=15, help="Minutes between due-checks (default 15).")
        parser.add_argument("--reset", action="store_true", help="Reset the schedule even if it was changed.")

    def handle(self, *args, every, reset, **options):
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.MINUTES)
        task = PeriodicTask.objects.filter(name=DUE_CHECK).first()
        if task is None:
            PeriodicTask.objects.create(
                name=DUE_CHECK,
                task="notifications.dispatch_due",
                interval=schedule,
                description="Claims the reminders due now and queues their sending.",
            )
            self.stdout.write(f"Created periodic task '{DUE_CHECK}' every {every} minutes.")
        elif reset:
            task.interval, task.crontab, task.enabled = schedule, None, True
            task.task = "notifications.dispatch_due"
            task.save()
            self.stdout.write(f"Reset periodic task '{DUE_CHECK}' to every {every} minutes.")
        else:
            self.stdout.write(f"Periodic task '{DUE_CHECK}' already exists: kept as it is ({task.schedule}).")
