"""With the broker unreachable (a closed port, not the shared Redis), the web app keeps working."""

import time

import pytest
from django.urls import reverse

from notifications import services, tasks
from notifications.models import Delivery
from reviews.models import Report, ReportState

pytestmark = pytest.mark.django_db


def test_a_submission_saves_and_answers_when_the_broker_is_down(
    client, filled_report, alice, olga, frozen, dead_broker, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:report_transition", args=[filled_report.pk, "submit"]))
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    assert Report.objects.get(pk=filled_report.pk).state == ReportState.SUBMITTED
    assert not Delivery.objects.exists()  # queued nowhere; the next due-check sends it (test_reminders)


def test_after_one_failed_publish_the_next_ones_do_not_wait_for_the_dead_broker(db, dead_broker):
    assert services.enqueue(tasks.notify_report_event, 1) is False
    started = time.monotonic()
    assert all(services.enqueue(tasks.notify_report_event, n) is False for n in range(500))  # closing a cycle
    assert time.monotonic() - started < 1
