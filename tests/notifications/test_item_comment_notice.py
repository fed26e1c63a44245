"""A comment in the thread of a flagged item tells the other side at once, in their language, exactly once."""

import pytest
from django.core import mail

from notifications import registry, services
from notifications.models import Delivery
from reviews import services as review_services
from reviews.models import ReviewItem
from tests.factories import office_user
from tests.helpers import assert_constant_queries
from tests.reviews.test_review_items import flagged, parts, submitted  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(flagged):
    return ReviewItem.objects.filter(report=flagged, kind="achievement").get()


def _comment(actor, flag, text, capture):
    mail.outbox.clear()
    with capture(execute=True):
        return review_services.review_item_comment(actor=actor, item=flag, text=text)


def _recipients(comment):
    rows = Delivery.objects.filter(kind="review_item_comment", occasion=f"comment:{comment.pk}")
    return sorted(rows.values_list("recipient__username", flat=True))


def test_the_units_answer_tells_the_person_who_flagged_the_item(flag, olga, bob, django_capture_on_commit_callbacks):
    comment = _comment(bob, flag, "L'effectif est de 12 agents.", django_capture_on_commit_callbacks)
    assert _recipients(comment) == ["olga"]
    message = mail.outbox[-1]
    assert message.to == [olga.email]
    assert "answered about" in message.subject and "Brigade créée" in message.subject
    for text in (message.body, message.alternatives[0][0]):
        assert "Achievement" in text and "12 agents" in text and "Préciser" in text


def test_the_offices_answer_tells_the_units_head_and_editors_not_the_author(
    flag, olga, bob, alice, django_capture_on_commit_callbacks
):
    comment = _comment(olga, flag, "Merci, c'est noté.", django_capture_on_commit_callbacks)
    assert _recipients(comment) == ["alice", "bob"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])


def test_the_office_people_in_the_thread_are_told_too_but_not_an_inactive_one(
    flag, olga, bob, django_capture_on_commit_callbacks
):
    colleague = office_user(username="oscar")
    _comment(colleague, flag, "Je reprends le dossier.", django_capture_on_commit_callbacks)
    olga.is_active = False
    olga.save(update_fields=["is_active"])
    comment = _comment(bob, flag, "Effectif précisé.", django_capture_on_commit_callbacks)
    assert _recipients(comment) == ["oscar"]


def test_each_reader_gets_the_notice_in_their_language(flag, olga, bob, django_capture_on_commit_callbacks):
    olga.language = "ar"
    olga.save(update_fields=["language"])
    _comment(bob, flag, "Effectif précisé.", django_capture_on_commit_callbacks)
    message = mail.outbox[-1]
    assert "answered" not in message.subject and "Achievement" not in message.body
    assert "Effectif précisé." in message.body and 'dir="rtl"' in message.alternatives[0][0]


def test_the_due_check_sends_nothing_twice_and_catches_up_a_missed_notice(
    flag, olga, bob, django_capture_on_commit_callbacks, monkeypatch
):
    sent = _comment(bob, flag, "Effectif précisé.", django_capture_on_commit_callbacks)
    monkeypatch.setattr(services, "item_comment_notify", lambda **kwargs: None)  # the broker lost this one
    missed = _comment(bob, flag, "Et la preuve est jointe.", django_capture_on_commit_callbacks)
    monkeypatch.undo()
    assert _recipients(missed) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_dispatch()
    assert _recipients(sent) == ["olga"] and _recipients(missed) == ["olga"]
    assert Delivery.objects.filter(kind="review_item_comment").count() == 2


def test_the_notices_cost_the_same_queries_whatever_the_number_of_comments(
    flag, olga, bob, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from django.utils import timezone

    kind = registry.get("review_item_comment")
    _comment(bob, flag, "Premier.", django_capture_on_commit_callbacks)
    now = timezone.now()

    def more():
        for number in range(6):
            author = (bob, olga)[number % 2]
            review_services.review_item_comment(actor=author, item=flag, text=f"Message {number}")

    assert_constant_queries(
        django_assert_num_queries, lambda: list(kind.due(today=now.date(), now=now, policies={})), more
    )
