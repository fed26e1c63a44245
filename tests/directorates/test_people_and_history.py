"""History that cannot lose its author: people are deactivated, never deleted; history is read-only in
the admin; deliveries, import jobs and objective edits leave history rows."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.urls import reverse

from core.errors import NotAllowed
from directorates import services
from directorates.models import Deliverable, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def authored(alice, unit_a):
    import datetime

    deliverable = services.deliverable_create(
        actor=alice,
        directorate=unit_a,
        year=2022,
        title="Écrit par Alice",
        category="operations",
        due_date=datetime.date(2022, 12, 31),
    )
    return deliverable


def test_a_person_cannot_be_deleted_and_the_history_keeps_its_author(authored, alice):
    with pytest.raises(NotAllowed), transaction.atomic():
        alice.delete()
    with pytest.raises(NotAllowed), transaction.atomic():
        User.objects.filter(pk=alice.pk).delete()
    assert Deliverable.history.filter(title="Écrit par Alice").first().history_user == alice


def test_the_admin_deactivates_people_instead_of_deleting_them(client, root, alice, authored):
    LogEntry.objects.log_actions(user_id=alice.pk, queryset=[authored], action_flag=1)
    client.force_login(root)
    url = reverse("admin:directorates_user_changelist")
    assert client.get(reverse("admin:directorates_user_delete", args=[alice.pk])).status_code == 403
    page = client.get(url).content.decode()
    assert "delete_selected" not in page and 'value="deactivate"' in page
    response = client.post(url, {"action": "deactivate", "_selected_action": [alice.pk]})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert alice.history.first().history_user == root and alice.history.first().is_active is False
    assert LogEntry.objects.filter(user=alice).exists()  # her admin log stays
    assert Deliverable.history.filter(title="Écrit par Alice").first().history_user == alice


def test_history_cannot_be_replayed_from_the_admin(client, root, authored):
    client.force_login(root)
    record = authored.history.first()
    url = reverse("admin:directorates_deliverable_simple_history", args=[authored.pk, record.history_id])
    page = client.get(url)
    assert page.status_code == 200 and b"Revert" not in page.content and b"Restaurer" not in page.content
    response = client.post(url, {"title": "Réécrit", "directorate": authored.directorate_id, "year": 2022})
    assert response.status_code == 403
    assert Deliverable.objects.get(pk=authored.pk).title == "Écrit par Alice"


def test_a_delivery_state_change_is_history(olga, alice):
    from notifications import services as notification_services
    from notifications.models import Delivery

    delivery = Delivery.objects.create(
        kind="report_returned", occasion="t:1", recipient=alice, state=Delivery.State.FAILED
    )
    notification_services.delivery_resend(actor=olga, delivery=delivery)
    record = delivery.history.first()
    assert record.state == Delivery.State.PENDING and record.history_user == olga
    assert record.history_change_reason == "re-sent by hand"


def test_sending_a_delivery_is_history(alice, mailoutbox):
    from notifications import services as notification_services
    from notifications.models import Delivery

    delivery = Delivery.objects.create(kind="report_returned", occasion="t:2", recipient=alice)
    notification_services.deliveries_send(ids=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.history.first().state == delivery.state != Delivery.State.PENDING
