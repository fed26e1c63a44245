"""Irreversible actions ask first, saying what will happen."""

import re

from django.urls import reverse


def test_report_decisions_ask_for_confirmation(client, submitted_report, olga, alice, frozen):
    client.force_login(olga)
    html = client.get(reverse("reviews:report_detail", args=[submitted_report.pk])).content.decode()
    for action in ("return", "accept"):
        button = re.search(rf'<button[^>]*value="{action}"[^>]*>', html)[0]
        assert "data-confirm=" in button


def test_the_head_is_asked_before_submitting(client, filled_report, alice, frozen):
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reviews:report_detail", args=[filled_report.pk])).content.decode()
    button = re.search(r'<button[^>]*value="submit"[^>]*>', html)[0]
    assert 'data-confirm="' in button and "DG&#x27;s office" in button


def test_deleting_a_deliverable_asks_first(client, deliverables, alice):
    client.force_login(alice)
    html = client.get(reverse("directorates:cahier_year", args=["SP-A", 2022])).content.decode()
    assert html.count("data-confirm=") == len(deliverables)
