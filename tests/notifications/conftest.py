import datetime

import pytest
import time_machine
from django.utils import timezone

from notifications import services
from notifications.models import Delivery

TZ = "+01:00"  # Africa/Casablanca in late 2022


@pytest.fixture
def at():
    """``at("2022-11-09")`` moves the clock to 10:00 that day (time frozen), for the rest of the test."""
    travellers = []

    def travel(day, hour=10):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(f"{day} {hour:02d}:00 {TZ}", tick=False)
        traveller.start()
        travellers.append(traveller)
        return timezone.now()

    yield travel
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    """Run the periodic due-check (tasks run eagerly in tests) and return the new rows."""

    def run():
        before = set(Delivery.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_dispatch()
        return list(Delivery.objects.exclude(pk__in=before).select_related("recipient").order_by("pk"))

    return run


def deadline_minus(cycle, days):
    return (cycle.submission_deadline - datetime.timedelta(days=days)).isoformat()


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """These tests read subjects and bodies in English; language selection has its own tests."""
    settings.LANGUAGE_CODE = "en"
