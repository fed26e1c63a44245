"""French text inside Arabic pages keeps its own order: what people typed, codes, and names that fall back
to French are isolated (<bdi> or dir="auto") on the roadmap and figures pages."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from figures.models import Indicator

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Texts(HTMLParser):
    """Each text node of the body with whether it sits inside an isolating element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        self.stack.append((tag, tag == "bdi" or "dir" in attrs))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        # An <option> holds plain text only (no <bdi>): the select list is left to the browser.
        if data.strip() and not any(tag in ("head", "title", "script", "style", "option") for tag, _ in self.stack):
            self.texts.append((data, any(isolated for _, isolated in self.stack[1:])))


def not_isolated(html, needles):
    """The needles found in a text node of the page outside any <bdi> or element with a dir attribute."""
    parser = _Texts()
    parser.feed(html)
    found = {needle for needle in needles if any(needle in text for text, _ in parser.texts)}
    assert found, f"none of {needles} is on the page"
    return sorted({needle for needle in needles for text, isolated in parser.texts if needle in text and not isolated})


def arabic(client, user, url):
    client.force_login(user)
    client.cookies["django_language"] = "ar"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    return html


@pytest.fixture
def french_named(unit_a, unit_b):
    """Unit A has no Arabic name: its French name shows in Arabic pages."""
    for unit in (unit_a, unit_b):
        unit.name_ar = ""
        unit.save()
    return [unit_a.name_fr, unit_a.code, unit_b.code]


def test_the_roadmap_page_isolates_titles_refs_and_unit_names(client, approved, olga, french_named, in_2023):
    objectives = list(approved.objectives.select_related("owner"))
    needles = [o.title for o in objectives] + [o.ref for o in objectives] + french_named[1:]
    html = arabic(client, olga, reverse("roadmap:detail", args=[approved.year]))
    assert not_isolated(html, needles) == []


def test_the_objective_page_isolates_the_owner_and_its_ref(client, approved, olga, french_named, in_2023):
    objective = approved.objectives.filter(owner__code="SP-A").first()
    html = arabic(client, olga, reverse("roadmap:objective_detail", args=[objective.pk]))
    assert not_isolated(html, [objective.ref, objective.title, french_named[0], "SP-A"]) == []


def test_the_meeting_page_isolates_unit_names(client, accepted_report, olga, french_named, cycle):
    from roadmap import services as roadmap_services

    roadmap_services.meeting_build(actor=olga, cycle=cycle)
    html = arabic(client, olga, reverse("roadmap:meeting", args=[cycle.year]))
    assert not_isolated(html, ["SP-A"]) == []


def test_the_figures_pages_isolate_french_indicator_and_unit_names(client, report_a, bob, french_named):
    Indicator.objects.create(
        code="cases_x", name_fr="Affaires traitées", name_ar="", name_en="Cases handled", domain="crime", unit="count"
    )
    entry = arabic(client, bob, reverse("figures:report_figures", args=[report_a.pk]))
    assert not_isolated(entry, ["Affaires traitées"]) == []
    dashboard = arabic(client, bob, reverse("figures:unit_dashboard", args=["SP-A"]))
    assert not_isolated(dashboard, [french_named[0]]) == []
