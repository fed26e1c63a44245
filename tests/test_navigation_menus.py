"""The navbar offers each role what it may open, and a refused page keeps the layout (no browser needed)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def menu_hrefs(html):
    nav = html[html.index('id="nav-menus"') : html.index("</ul>\n      <form")]
    return set(re.findall(r'class="dropdown-item[^"]*" href="([^"]+)"', nav))


def test_unit_editor_is_not_offered_the_office_pages(client, cycle, bob):
    client.force_login(bob)
    hrefs = menu_hrefs(client.get(reverse("reviews:report_list")).content.decode())
    assert {"/reports/", "/units/", "/priorities/", "/roadmap/", "/figures/", "/bilan/", "/imports/"} <= hrefs
    assert not hrefs & {"/", "/meetings/", "/notifications/cycles/", "/admin/"}
    for href in hrefs - {"/api/docs/"}:
        assert client.get(href, follow=True).status_code == 200, href


def test_dg_office_is_offered_the_dashboard_meeting_and_reminders(client, cycle, olga):
    client.force_login(olga)
    hrefs = menu_hrefs(client.get(reverse("reviews:report_list")).content.decode())
    assert {"/", "/meetings/", "/notifications/cycles/"} <= hrefs
    assert "/admin/" not in hrefs  # not staff


def test_the_menu_of_the_current_page_is_highlighted(client, cycle, bob):
    client.force_login(bob)
    html = client.get(reverse("roadmap:priority_home"), follow=True).content.decode()
    assert re.search(
        r'<li class="nav-item dropdown" id="menu-roadmap">\s*<a class="nav-link dropdown-toggle active"', html
    )
    assert not re.search(r'id="menu-review">\s*<a class="nav-link dropdown-toggle active"', html)


def test_a_refused_page_keeps_the_layout_and_explains(client, cycle, bob):
    client.force_login(bob)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("roadmap:meeting_home"), follow=True)
    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="nav-menus"' in html and "<h1" in html and "Access refused" in html
    assert 'href="/"' in html
