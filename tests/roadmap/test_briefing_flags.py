"""The briefing pack shows what the DG's office flagged during the review, with the threads, read-only."""

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import ReviewItem
from tests.helpers import assert_constant_queries
from tests.reviews.test_review_items import flagged, parts, submitted  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_pack_lists_each_flag_with_its_comment_and_thread(client, flagged, olga, bob):
    flag = ReviewItem.objects.get(report=flagged, kind="achievement")
    services.review_item_comment(actor=bob, item=flag, text="L'effectif est de 12 agents.")
    client.force_login(olga)
    html = client.get(reverse("roadmap:briefing", args=[2022, flagged.directorate.code])).content.decode()
    section = html[html.index('id="briefing-flags"') : html.index("</ul>", html.index('id="briefing-flags"'))]
    assert section.count('class="list-group-item flag-item"') == 2
    assert "Preuve manquante" in section and "Préciser l" in section and "12 agents" in section
    assert "<form" not in section  # read-only: the threads are answered on the report's page


def test_a_pack_without_flags_has_no_such_section(client, submitted, olga):
    client.force_login(olga)
    html = client.get(reverse("roadmap:briefing", args=[2022, submitted.directorate.code])).content.decode()
    assert 'id="briefing-flags"' not in html and 'id="outcomes"' in html


def test_the_flags_cost_the_same_queries_whatever_their_number(client, flagged, olga, bob, django_assert_num_queries):
    client.force_login(olga)
    url = reverse("roadmap:briefing", args=[2022, flagged.directorate.code])
    flag = ReviewItem.objects.get(report=flagged, kind="achievement")

    def grow():
        for number in range(4):
            services.review_item_comment(actor=(bob, olga)[number % 2], item=flag, text=f"Message {number}")

    assert_constant_queries(django_assert_num_queries, lambda: client.get(url), grow)
