"""The meeting page: agenda reordered in place, searchable unit lists, briefing packs ready to print."""

import pytest
from django.urls import reverse

from reviews import services as review_services
from roadmap import services
from roadmap.models import AgendaItem
from tests.conftest import fill
from tests.helpers import assert_constant_queries, grow_units


@pytest.fixture
def meeting(accepted_report, cycle, olga, charlie, unit_b, frozen):
    report_b = review_services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
    fill(report_b, charlie)
    review_services.report_submit(actor=charlie, report=report_b)
    review_services.report_accept(actor=olga, report=report_b)
    import datetime

    return services.meeting_build(actor=olga, cycle=cycle, date=datetime.date(2022, 12, 22), place="Rabat")


def test_a_move_asked_by_the_page_answers_the_new_order_without_a_redirect(client, meeting, olga):
    client.force_login(olga)
    before = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True))
    response = client.post(
        reverse("roadmap:meeting_action", args=[2022, "move"]),
        {"item": before[-1], "direction": "up"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"order": before[::-1]}


def test_a_move_without_an_item_is_a_bad_request_not_a_server_error(client, meeting, olga):
    client.force_login(olga)
    response = client.post(reverse("roadmap:meeting_action", args=[2022, "move"]), {"item": "x"})
    assert response.status_code == 400  # the 400 page names the field (core.filters.BadFilter)
    response = client.post(reverse("roadmap:meeting_action", args=[2022, "move"]), {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400


def test_the_agenda_rows_carry_what_the_script_needs(client, meeting, olga):
    client.force_login(olga)
    html = client.get(reverse("roadmap:meeting", args=[2022])).content.decode()
    assert 'class="d-inline agenda-move"' in html and "data-item=" in html
    assert reverse("roadmap:briefing_all", args=[2022]) in html
    assert "data-filter-label=" in html  # the filter box of long unit lists reads its label there


def test_a_briefing_pack_has_the_header_date_and_classification(client, meeting, olga):
    client.force_login(olga)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("roadmap:briefing", args=[2022, "SP-A"])).content.decode()
    assert "Directorate-General for National Security" in html
    assert "Restricted — for the annual review meeting only" in html
    assert "22 December 2022" in html
    # Page numbers when printed: in the stylesheet the page links (the CSP allows no inline style).
    assert "css/briefing" in html
    from django.conf import settings

    assert "counter(page)" in (settings.BASE_DIR / "static" / "css" / "briefing.css").read_text()


def test_all_packs_print_at_once_in_agenda_order(client, meeting, olga, django_assert_num_queries, cycle):
    client.force_login(olga)
    url = reverse("roadmap:briefing_all", args=[2022])
    html = client.get(url).content.decode()
    assert html.count('<article class="briefing">') == 2
    assert html.index("SP-A") < html.index("WS-B") or html.index("WS-B") < html.index("SP-A")

    def grow():
        grow_units(cycle, 3)
        services.meeting_build(actor=olga, cycle=cycle)

    assert_constant_queries(django_assert_num_queries, lambda: client.get(url), grow)


@pytest.mark.parametrize("who", ["alice", "charlie"])
def test_units_cannot_print_the_packs(client, meeting, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("roadmap:briefing_all", args=[2022])).status_code == 403
