"""The meeting screen: one unit at a time in agenda order, with its five-year figures, flagged changes,
objectives and the review's extensions and returns; the DG's office and the DG only."""

import datetime

import pytest
from django.urls import reverse

from figures.models import Indicator
from figures.services import figure_set_many
from reviews import services as review_services
from reviews.models import ReportState
from roadmap import services
from tests.conftest import fill
from tests.factories import DeliverableFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(accepted_report, unit_b, charlie, olga, root, frozen):
    """Agenda: unit A then unit B (both accepted); unit A has five years of one figure."""
    DeliverableFactory(directorate=unit_b, title="Former 50 agents")
    editor_b = MembershipFactory(user=UserFactory(username="eve"), directorate=unit_b, role="editor").user
    report_b = review_services.report_start(actor=editor_b, cycle=accepted_report.cycle, directorate=unit_b)
    fill(report_b, editor_b)
    review_services.report_submit(actor=charlie, report=report_b)
    review_services.report_accept(actor=olga, report=report_b)
    Indicator.objects.create(
        code="arrests", name_fr="Interpellations", name_ar="توقيفات", name_en="Arrests", domain="crime"
    )
    figure_set_many(
        actor=root,
        rows=[
            {"directorate": "SP-A", "indicator": "arrests", "year": year, "value": value}
            for year, value in ((2018, 100), (2019, 110), (2020, 120), (2021, 130))
        ],
    )
    return services.meeting_build(actor=olga, cycle=accepted_report.cycle)


def test_the_screen_starts_with_the_first_unit_of_the_agenda(client, meeting, olga):
    client.force_login(olga)
    response = client.get(reverse("roadmap:compstat", args=[2022]))
    first = meeting.agenda.order_by("position").first().directorate.code
    assert response.status_code == 302
    assert response.url == reverse("roadmap:compstat_unit", args=[2022, first])


def test_a_unit_screen_shows_its_series_and_links_to_its_neighbours(client, meeting, olga):
    codes = [item.directorate.code for item in meeting.agenda.order_by("position")]
    client.force_login(olga)
    html = client.get(reverse("roadmap:compstat_unit", args=[2022, codes[0]])).content.decode()
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert reverse("roadmap:compstat_unit", args=[2022, codes[1]]) in html
    html_a = client.get(reverse("roadmap:compstat_unit", args=[2022, "SP-A"])).content.decode()
    assert 'data-indicator="arrests"' in html_a
    for year in (2018, 2019, 2020, 2021, 2022):
        assert f">{year}</th>" in html_a
    assert "sur 2 à l" in html_a  # "Unité n sur 2 à l'ordre du jour", French by default


def test_a_unit_not_on_the_agenda_has_no_screen(client, meeting, olga, region):
    client.force_login(olga)
    assert client.get(reverse("roadmap:compstat_unit", args=[2022, region.code])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "rita"])
def test_unit_people_have_no_meeting_screen(client, request, meeting, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("roadmap:compstat_unit", args=[2022, "SP-A"])).status_code == 403


def test_the_dg_sees_the_screen(client, meeting, dino):
    client.force_login(dino)
    assert client.get(reverse("roadmap:compstat_unit", args=[2022, "SP-A"])).status_code == 200


def test_without_an_agenda_the_screen_sends_back_to_the_meeting(client, cycle, olga):
    client.force_login(olga)
    response = client.get(reverse("roadmap:compstat", args=[2022]))
    assert response.status_code == 302 and response.url == reverse("roadmap:meeting", args=[2022])


def test_the_screen_keeps_a_fixed_number_of_queries_as_the_agenda_grows(client, meeting, olga, cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(olga)
    url = reverse("roadmap:compstat_unit", args=[2022, "SP-A"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(8):
        unit = MembershipFactory(role="head").directorate
        report = review_services.report_start(
            actor=MembershipFactory(directorate=unit, role="editor").user, cycle=cycle, directorate=unit
        )
        report.state = ReportState.ACCEPTED
        report.save()
    services.meeting_build(actor=olga, cycle=cycle)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


@pytest.mark.parametrize(
    "language, word", [("fr", "Écran de la réunion"), ("ar", "شاشة الاجتماع"), ("en", "Meeting screen")]
)
def test_the_screen_reads_in_every_language(client, meeting, olga, language, word):
    client.force_login(olga)
    html = client.get(
        reverse("roadmap:compstat_unit", args=[2022, "SP-A"]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert word in html


def test_the_screen_lists_the_items_flagged_at_each_return(client, accepted_report, olga, alice, root, frozen):
    """A report returned with flagged items, then resubmitted and accepted: the screen names each item."""
    report = accepted_report
    from reviews.models import Report, ReportEvent, ReviewItem

    event = ReportEvent.objects.create(
        report=report, old_state="submitted", new_state="returned", actor=olga, comment="Deux points"
    )
    ReviewItem.objects.create(
        report=report,
        return_event=event,
        kind="constraint",
        item_id=1,
        label="Parc automobile vieillissant",
        comment="Chiffrer le besoin",
        flagged_by=olga,
        resolved_at=event.created_at,
        resolved_by=alice,
    )
    assert Report.objects.get(pk=report.pk).state == ReportState.ACCEPTED
    services.meeting_build(actor=olga, cycle=report.cycle)
    client.force_login(olga)
    html = client.get(reverse("roadmap:compstat_unit", args=[2022, "SP-A"])).content.decode()
    notes = html[html.index('id="review-notes"') :]
    assert "Chiffrer le besoin" in notes and "Parc automobile vieillissant" in notes
