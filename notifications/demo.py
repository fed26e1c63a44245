"""Demo: the default reminder policy of the 2022 cycle, so the administrator finds one to edit."""

from notifications.models import ReminderPolicy
from reviews.models import ReviewCycle


def load(stdout):
    for cycle in ReviewCycle.objects.all():
        ReminderPolicy.objects.get_or_create(cycle=cycle)
    stdout.write("  reminder policy: J-30, J-14, J-7, J-3, J-1, meeting invitation, overdue reminders and digest")
