"""Small things a new user trips over: favicon, API link, French elision, plural wording, capitalised labels."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def test_the_favicon_is_served_and_named_by_every_page(client, bob):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")
    assert finders.find("favicon.svg")
    client.force_login(bob)
    assert 'rel="icon"' in client.get(reverse("reviews:report_list")).content.decode()


@pytest.mark.parametrize("who, shown", [("bob", False), ("alice", False), ("olga", True), ("root", True)])
def test_the_api_link_is_in_the_menu_of_the_office_only(client, who, shown, request):
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("notifications:list")).content.decode()
    assert (reverse("api-docs") in html) is shown


def test_french_never_puts_de_before_a_unit_name():
    """'de Institut royal', 'de Direction…': the unit's name is quoted after « de l'unité »."""
    text = (LOCALE / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert not re.findall(r"\bde %\((?:unit|unit_name|name)\)s", text)


def test_new_objectives_are_counted_with_ngettext(client, accepted_report, priorities, olga, cycle):
    client.force_login(olga)
    client.cookies["django_language"] = "fr"
    response = client.post(reverse("roadmap:action", args=[cycle.year + 1, "compile"]), follow=True)
    html = response.content.decode()
    assert "(s)" not in html
    assert re.search(r"\d+ nouveaux objectifs|1 nouvel objectif", html)
