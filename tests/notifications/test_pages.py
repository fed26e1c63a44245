"""The in-app notification list, the unread count, and the DG's office's delivery log with re-send."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from notifications.models import Delivery
from tests.factories import DirectorateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_deliveries(cycle, user, n, state=Delivery.State.SENT, start=0):
    rows = []
    for i in range(start, start + n):
        unit = DirectorateFactory()
        rows.append(
            Delivery.objects.create(
                kind="deadline_reminder",
                occasion=f"cycle:{cycle.pk}/unit:{unit.pk}/d-{i}",
                recipient=user,
                cycle=cycle,
                directorate=unit,
                state=state,
                context={
                    "year": 2022,
                    "days_left": 7,
                    "unit": {"fr": "Sûreté", "ar": "الأمن", "en": "Security"},
                    "path": "/reports/",
                },
            )
        )
    return rows


def test_the_navbar_shows_the_unread_count(client, alice, cycle):
    make_deliveries(cycle, alice, 3)
    client.force_login(alice)
    response = client.get(reverse("notifications:list"))
    assert response.context["unread_notifications"] == 3
    assert 'id="nav-notifications"' in response.content.decode()
    assert "7 days left before the deadline" in response.content.decode()


@pytest.mark.parametrize("page", ["notifications:list"])
def test_the_notification_list_makes_the_same_queries_for_2_or_40_rows(
    client, alice, cycle, page, django_assert_num_queries
):
    client.force_login(alice)
    make_deliveries(cycle, alice, 2)
    client.get(reverse(page))
    # session, user, savepoint, count (pager), page rows, unread count (navbar), release
    with django_assert_num_queries(7):
        client.get(reverse(page))
    make_deliveries(cycle, alice, 38, start=2)
    with django_assert_num_queries(7):
        assert client.get(reverse(page)).status_code == 200


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, alice, cycle):
    row = make_deliveries(cycle, alice, 1)[0]
    client.force_login(alice)
    response = client.get(reverse("notifications:open", args=[row.pk]))
    assert response.status_code == 302 and response.url == "/reports/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_nobody_opens_another_persons_notification(client, alice, bob, cycle):
    row = make_deliveries(cycle, alice, 1)[0]
    client.force_login(bob)
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404


def test_mark_all_read(client, alice, cycle):
    make_deliveries(cycle, alice, 3)
    client.force_login(alice)
    client.post(reverse("notifications:mark_read"))
    assert not Delivery.objects.filter(read_at__isnull=True).exists()


def test_the_delivery_log_shows_what_failed_and_why(client, olga, alice, cycle, django_assert_num_queries):
    failed = make_deliveries(cycle, alice, 1, state=Delivery.State.FAILED)[0]
    Delivery.objects.filter(pk=failed.pk).update(last_error="SMTPRecipientsRefused: alice@dgsn.local", attempts=3)
    client.force_login(olga)
    url = reverse("notifications:delivery_log", args=[cycle.year])
    body = client.get(url).content.decode()
    assert "SMTPRecipientsRefused" in body and "alice@dgsn.local" in body
    # session, user, savepoint, cycle, count, page rows (recipient, unit, re-sender joined), totals,
    # unread count, release
    with django_assert_num_queries(9):
        client.get(url)
    make_deliveries(cycle, MembershipFactory(user=UserFactory()).user, 30)
    with django_assert_num_queries(9):
        client.get(url + "?state=sent")


def test_only_the_dg_office_sees_the_log_and_only_the_office_resends(client, alice, dino, olga, cycle):
    row = make_deliveries(cycle, alice, 1, state=Delivery.State.FAILED)[0]
    client.force_login(alice)
    assert client.get(reverse("notifications:delivery_log", args=[cycle.year])).status_code == 403
    assert client.post(reverse("notifications:resend", args=[row.pk])).status_code == 403
    client.force_login(dino)
    assert client.get(reverse("notifications:delivery_log", args=[cycle.year])).status_code == 200
    assert client.post(reverse("notifications:resend", args=[row.pk])).status_code == 403


def test_the_office_resends_by_hand(client, olga, alice, cycle, django_capture_on_commit_callbacks, mailoutbox):
    row = make_deliveries(cycle, alice, 1, state=Delivery.State.FAILED)[0]
    client.force_login(olga)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and row.resent_by == olga
    assert mailoutbox[0].to == ["alice@dgsn.local"]


def test_setup_periodic_tasks_is_idempotent_and_keeps_an_administrators_change(db):
    call_command("setup_periodic_tasks")
    call_command("setup_periodic_tasks")
    task = PeriodicTask.objects.get(task="notifications.dispatch_due")
    assert (task.interval.every, task.interval.period) == (15, IntervalSchedule.MINUTES)
    task.interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    task.save()
    call_command("setup_periodic_tasks")
    assert PeriodicTask.objects.get(pk=task.pk).interval.period == IntervalSchedule.HOURS
    assert PeriodicTask.objects.filter(task="notifications.dispatch_due").count() == 1


def test_the_api_lists_my_notifications_with_the_same_queries_for_2_or_40(
    api, alice, bob, cycle, django_assert_num_queries
):
    make_deliveries(cycle, alice, 2)
    make_deliveries(cycle, bob, 1)
    api.force_authenticate(alice)
    with django_assert_num_queries(4):  # savepoint, count, page, release
        body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 2 and body["results"][0]["read"] is False
    assert "7 days left" in body["results"][0]["title"]
    make_deliveries(cycle, alice, 38, start=2)
    with django_assert_num_queries(4):
        assert api.get("/api/v1/notifications/").json()["count"] == 40
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": 40}
    first = body["results"][0]["id"]
    assert api.post("/api/v1/notifications/read/", {"ids": [first]}, format="json").json() == {"marked": 1}
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": 39}


def test_the_api_delivery_log_is_the_offices_and_resends(
    api, alice, olga, cycle, django_assert_num_queries, django_capture_on_commit_callbacks, mailoutbox
):
    row = make_deliveries(cycle, alice, 1, state=Delivery.State.FAILED)[0]
    api.force_authenticate(alice)
    assert api.get(f"/api/v1/deliveries/?cycle={cycle.year}").status_code == 403
    assert api.post(f"/api/v1/deliveries/{row.pk}/resend/").status_code == 403
    api.force_authenticate(olga)
    # savepoint, count, page (cycle and recipient joined), release: the year filters through the join
    # (DeliveryFilter) instead of a query of its own.
    with django_assert_num_queries(4):
        body = api.get(f"/api/v1/deliveries/?cycle={cycle.year}").json()
    assert body["results"][0]["state"] == "failed" and body["results"][0]["email"] == "alice@dgsn.local"
    make_deliveries(cycle, alice, 20, start=1)
    with django_assert_num_queries(4):
        assert api.get(f"/api/v1/deliveries/?cycle={cycle.year}").json()["count"] == 21
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/deliveries/{row.pk}/resend/").status_code == 200
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and mailoutbox[0].to == ["alice@dgsn.local"]
    assert api.post(f"/api/v1/deliveries/{row.pk}/resend/").status_code == 200  # a sent one, once more
