"""Notices of the roadmap's approval (issue #15): approvers when a version is proposed, the proposer when
it is approved or sent back; in each recipient's language, at once, once, never to the person who acted."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications import rendering
from notifications import services as notification_services
from notifications.models import Delivery
from roadmap import services
from roadmap.models import Roadmap


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    settings.LANGUAGE_CODE = "en"


def fresh(roadmap):
    return Roadmap.objects.get(pk=roadmap.pk)


def recipients(kind):
    return sorted(Delivery.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_proposing_notifies_every_approver_but_the_proposer(
    draft, olga, opal, dino, root, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.roadmap_propose(actor=opal, roadmap=draft, comment="Version de travail")
    assert recipients("roadmap_proposed") == ["dino"]  # opal proposed; olga and root hold no approval right
    message = next(m for m in mail.outbox if m.to == ["dino@dgsn.local"])
    assert message.subject == "Roadmap 2023, version 1: proposed for your approval"
    assert "opal proposed version 1 of the 2023 roadmap" in message.body
    assert "Version de travail" in message.body
    assert "http://127.0.0.1:8000/roadmap/2023/" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        services.roadmap_return(actor=dino, roadmap=fresh(draft), comment="Revoir")
        services.roadmap_propose(actor=olga, roadmap=fresh(draft))
    assert recipients("roadmap_proposed") == ["dino", "dino", "opal"]  # a new proposal, a new notice


def test_approval_notifies_the_proposer(draft, olga, dino, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.roadmap_propose(actor=olga, roadmap=draft)
        services.roadmap_approve(actor=dino, roadmap=fresh(draft), comment="Bon travail")
    assert recipients("roadmap_approved") == ["olga"]
    message = next(m for m in mail.outbox if m.subject == "Roadmap 2023, version 1: approved")
    assert message.to == ["olga@dgsn.local"]
    assert "dino approved version 1 of the 2023 roadmap, which you proposed." in message.body
    assert "Bon travail" in message.alternatives[0][0]


def test_sending_back_notifies_the_proposer_with_the_comment(draft, olga, dino, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.roadmap_propose(actor=olga, roadmap=draft)
        services.roadmap_return(actor=dino, roadmap=fresh(draft), comment="Chiffrer les cibles")
    assert recipients("roadmap_returned") == ["olga"]
    message = next(m for m in mail.outbox if "sent back" in m.subject)
    assert "Chiffrer les cibles" in message.body
    assert Delivery.objects.get(kind="roadmap_returned").state == Delivery.State.SENT


def test_nobody_is_told_of_what_they_did_themselves(draft, opal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.roadmap_propose(actor=opal, roadmap=draft)
        services.roadmap_approve(actor=opal, roadmap=fresh(draft))
    assert recipients("roadmap_approved") == []


def test_notices_follow_the_recipients_language(draft, olga, dino, django_capture_on_commit_callbacks):
    dino.language = "ar"
    dino.save()
    olga.language = "fr"
    olga.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.roadmap_propose(actor=olga, roadmap=draft)
        services.roadmap_approve(actor=dino, roadmap=fresh(draft))
    to_dino = next(m for m in mail.outbox if m.to == ["dino@dgsn.local"])
    assert to_dino.extra_headers["Content-Language"] == "ar"
    assert 'lang="ar" dir="rtl"' in to_dino.alternatives[0][0]
    assert "خارطة الطريق" in to_dino.subject
    to_olga = next(m for m in mail.outbox if m.to == ["olga@dgsn.local"])
    assert to_olga.extra_headers["Content-Language"] == "fr"
    assert "Feuille de route 2023" in to_olga.subject
    # The in-app list renders each notice in the reader's language.
    row = Delivery.objects.get(kind="roadmap_approved")
    assert rendering.title(row, "fr") == to_olga.subject
    assert rendering.title(row, "en") == "Roadmap 2023, version 1: approved"


def test_a_notice_lost_with_the_broker_is_sent_by_the_next_due_check(draft, olga, dino, monkeypatch):
    monkeypatch.setattr(notification_services, "enqueue", lambda task, *args: False)  # the broker is down
    services.roadmap_propose(actor=olga, roadmap=draft)  # no on-commit callbacks run: the signal is lost
    assert not Delivery.objects.filter(kind="roadmap_proposed").exists()
    notification_services.reminders_compute_due(now=timezone.now(), kinds=["roadmap_proposed"])
    notification_services.reminders_compute_due(now=timezone.now(), kinds=["roadmap_proposed"])
    assert recipients("roadmap_proposed") == ["dino"]  # once
    later = timezone.now() + datetime.timedelta(days=8)
    Delivery.objects.all().delete()
    notification_services.reminders_compute_due(now=later, kinds=["roadmap_proposed"])
    assert not Delivery.objects.exists()  # too old to be worth sending
