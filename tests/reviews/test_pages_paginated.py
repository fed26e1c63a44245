"""The cycle dashboard and the report list show a page at a time; the dashboard's totals count every unit."""

import time_machine
from django.urls import reverse

from reviews import services, views
from tests.helpers import grow_units


def test_dashboard_pages_units_and_totals_count_them_all(client, cycle, olga, monkeypatch):
    monkeypatch.setattr(views, "DASHBOARD_PAGE", 2)
    grow_units(cycle, 5)
    client.force_login(olga)
    with time_machine.travel("2022-12-20 10:00 +01:00", tick=False):  # past the deadline: all late
        first = client.get(reverse("reviews:dashboard", args=[2022]))
        last = client.get(reverse("reviews:dashboard", args=[2022]), {"page": 3})
    assert len(first.context["rows"]) == 2 and len(last.context["rows"]) == 1
    assert first.context["totals"]["units"] == 5 and first.context["totals"]["draft"] == 5
    assert first.context["totals"]["late"] == 5 and first.context["totals"]["missing"] == 0
    assert "page=2" in first.content.decode()
    seen = {r["unit"].code for r in first.context["rows"]} | {r["unit"].code for r in last.context["rows"]}
    assert len(seen) == 3


def test_dashboard_totals_count_units_without_a_report_and_late_submissions(
    client, cycle, olga, report_a, alice, unit_b
):
    from tests.conftest import fill

    client.force_login(olga)
    fill(report_a, alice)
    with time_machine.travel("2022-12-10 10:00 +01:00", tick=False):
        services.report_submit(actor=alice, report=report_a)  # one day late
        totals = client.get(reverse("reviews:dashboard", args=[2022])).context["totals"]
    # Units: the region, SP-A (submitted late) and WS-B (never started, past the deadline).
    assert (totals["units"], totals["submitted"], totals["missing"], totals["late"]) == (3, 1, 2, 3)


def test_report_list_is_paginated(client, cycle, olga, monkeypatch):
    monkeypatch.setattr(views, "REPORTS_PAGE", 2)
    grow_units(cycle, 3)
    client.force_login(olga)
    response = client.get(reverse("reviews:report_list"))
    assert len(response.context["reports"]) == 2
    assert len(client.get(reverse("reviews:report_list"), {"page": 2}).context["reports"]) == 1
