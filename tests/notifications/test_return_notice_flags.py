"""The return notice lists the items the DG's office flagged, each with its comment, in the reader's language."""

import pytest
from django.core import mail
from django.utils import timezone

from notifications import registry
from notifications.models import Delivery
from reviews import services
from reviews.models import ReportEvent, ReviewItem
from tests.helpers import assert_constant_queries
from tests.reviews.test_review_items import _first_deliverable, parts, submitted  # noqa: F401

pytestmark = pytest.mark.django_db


def _return(report, olga, parts, flags, django_capture_on_commit_callbacks):
    items = [
        {"kind": "outcome", "id": _first_deliverable(report), "comment": "Preuve manquante"},
        {"kind": "achievement", "id": parts["achievement"].pk, "comment": "Préciser l'effectif"},
    ][:flags]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(actor=olga, report=report, comment="Deux points à revoir", items=items)


def test_the_unit_reads_each_flagged_item_and_its_comment(
    submitted, parts, olga, bob, django_capture_on_commit_callbacks
):
    _return(submitted, olga, parts, 2, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [bob.email])
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "2 items to correct" in text
        assert "Deliverable outcome" in text and "Preuve manquante" in text
        assert "Achievement" in text and "Brigade créée" in text and "Préciser l" in text
    assert "<bdi>Brigade créée</bdi>" in html


def test_each_reader_gets_the_kinds_of_item_in_their_language(
    submitted, parts, olga, bob, alice, django_capture_on_commit_callbacks
):
    bob.language, alice.language = "ar", "fr"
    bob.save(update_fields=["language"])
    alice.save(update_fields=["language"])
    _return(submitted, olga, parts, 1, django_capture_on_commit_callbacks)
    to_bob = next(m for m in mail.outbox if m.to == [bob.email])
    to_alice = next(m for m in mail.outbox if m.to == [alice.email])
    assert "Deliverable outcome" not in to_bob.body and "Deliverable outcome" not in to_alice.body
    assert "Preuve manquante" in to_bob.body and "Preuve manquante" in to_alice.body
    assert to_bob.body != to_alice.body


def test_a_return_without_flags_says_nothing_of_items(submitted, parts, olga, bob, django_capture_on_commit_callbacks):
    _return(submitted, olga, parts, 0, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [bob.email])
    assert "to correct" not in message.body and "Deux points à revoir" in message.body
    assert Delivery.objects.get(kind="report_returned", recipient=bob).context["flags"] == []


def test_the_flags_cost_one_query_whatever_their_number(
    submitted, parts, olga, django_capture_on_commit_callbacks, django_assert_num_queries
):
    _return(submitted, olga, parts, 1, django_capture_on_commit_callbacks)
    kind = registry.get("report_returned")
    event = ReportEvent.objects.get(new_state="returned")
    now = timezone.now()

    def add_flags():
        first = ReviewItem.objects.get()
        for number in range(5):
            ReviewItem.objects.create(
                report=submitted,
                return_event=event,
                kind="constraint",
                item_id=parts["constraint"].pk + 1000 + number,
                label=f"Contrainte {number}",
                comment="À revoir",
                flagged_by=first.flagged_by,
            )

    assert_constant_queries(
        django_assert_num_queries,
        lambda: list(kind.due(today=now.date(), now=now, policies={}, event_ids=[event.pk])),
        add_flags,
    )
    dues = list(kind.due(today=now.date(), now=now, policies={}, event_ids=[event.pk]))
    assert len(dues[0].context["flags"]) == 6
