"""Heads hear that their report was accepted, and that an editor says it is ready; the demo shows its mails."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Delivery
from reviews import services as review_services
from reviews.models import ReportState


def names(rows):
    return sorted(row.recipient.username for row in rows)


def test_accepting_a_report_tells_its_head(submitted_report, olga, alice, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.report_accept(actor=olga, report=submitted_report, comment="Rapport complet")
    rows = Delivery.objects.filter(kind="report_accepted").select_related("recipient")
    assert names(rows) == ["alice"]
    assert {row.state for row in rows} == {Delivery.State.SENT}
    message = next(m for m in mail.outbox if m.to == [alice.email])
    assert "Rapport complet" in message.body


def test_an_editor_marks_the_report_ready_and_the_head_is_told(
    client, filled_report, alice, bob, frozen, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    page = client.get(reverse("reviews:report_detail", args=[filled_report.pk])).content.decode()
    assert 'id="ready-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:report_transition", args=[filled_report.pk, "ready"]), {"comment": "Tout est saisi"}
        )
    assert response.status_code == 302
    rows = Delivery.objects.filter(kind="report_ready").select_related("recipient")
    assert names(rows) == ["alice"]
    filled_report.refresh_from_db()
    assert filled_report.state == ReportState.DRAFT
    # No other notice goes out for a mark that changes no state.
    assert not Delivery.objects.exclude(kind="report_ready").exists()


def test_the_head_is_not_offered_the_ready_button(client, filled_report, alice, frozen):
    client.force_login(alice)
    page = client.get(reverse("reviews:report_detail", args=[filled_report.pk])).content.decode()
    assert 'id="ready-form"' not in page


def test_a_head_of_another_unit_cannot_mark_it_ready(client, filled_report, charlie, frozen):
    client.force_login(charlie)
    client.post(reverse("reviews:report_transition", args=[filled_report.pk, "ready"]))
    assert not Delivery.objects.exists()


def test_demo_users_have_addresses(db):
    from io import StringIO

    from directorates import demo
    from directorates.models import User

    demo.load(StringIO())
    assert not User.objects.filter(email="").exists()
    assert User.objects.get(username="head.dpj").email.endswith(".invalid")


@pytest.mark.parametrize("debug, demo, status", [(True, True, 200), (False, True, 302), (True, False, 404)])
def test_the_demo_outbox_shows_the_mails_sent(
    client, settings, submitted_report, olga, alice, debug, demo, status, django_capture_on_commit_callbacks
):
    settings.DEMO_LOGINS_ENABLED = debug
    alice.is_demo = demo
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.report_accept(actor=olga, report=submitted_report)
    client.force_login(alice)
    response = client.get(reverse("notifications:demo_outbox"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "outbox-mail" in html and alice.email in html
