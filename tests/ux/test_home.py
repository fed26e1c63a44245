"""The home page says what to do next, per role, each step a link to where it is done."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directorates.models import Membership, User
from reviews import services as review_services
from roadmap import services as roadmap_services
from roadmap.models import Milestone, Roadmap
from tests.factories import DirectorateFactory, MembershipFactory


def steps(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(
        r'<li class="list-group-item next-step next-step-(\w+)" data-kind="(\w+)">\s*'
        r'<a class="fw-semibold" href="([^"]+)"><bdi>(.*?)</bdi></a>(.*?)</li>',
        html,
        re.S,
    )
    return {
        kind: {"level": level, "url": url.replace("&amp;", "&"), "title": title, "rest": rest}
        for level, kind, url, title, rest in found
    }


def count_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_an_editor_is_told_to_start_the_report_before_the_deadline(client, cycle, bob, deliverables, frozen):
    found = steps(client, bob)
    assert found["start"]["url"] == reverse("reviews:report_list")
    assert "due in 24 days" in found["start"]["rest"]


def test_an_editor_is_told_to_fill_the_draft_and_who_submits(client, report_a, bob, frozen):
    found = steps(client, bob)
    assert found["fill"]["url"] == reverse("reviews:report_edit", args=[report_a.pk])
    assert "0 % complete" in found["fill"]["title"]
    assert "Only the unit&#x27;s head can submit it." in found["fill"]["rest"]
    assert "submit" not in found


def test_the_head_is_told_to_submit_once_the_editor_marked_it_ready(client, filled_report, alice, bob, frozen):
    review_services.report_mark_ready(actor=bob, report=filled_report)
    found = steps(client, alice)
    assert found["submit"]["url"] == reverse("reviews:report_detail", args=[filled_report.pk])
    assert "fill" not in found


def test_a_returned_report_is_to_correct_with_the_office_reason(client, submitted_report, alice, bob, olga):
    review_services.report_return(actor=olga, report=submitted_report, comment="Chiffres manquants en page 2")
    for person in (alice, bob):
        found = steps(client, person)
        assert found["returned"]["level"] == "urgent"
        assert found["returned"]["url"] == reverse("reviews:report_edit", args=[submitted_report.pk])
        assert "Chiffres manquants en page 2" in found["returned"]["rest"]


def test_a_submitted_report_only_waits(client, submitted_report, alice):
    found = steps(client, alice)
    assert set(found) == {"waiting"}
    assert found["waiting"]["url"] == reverse("reviews:report_detail", args=[submitted_report.pk])


def test_the_region_head_sees_the_units_that_have_not_submitted(client, report_a, rita, alice, frozen):
    found = steps(client, rita)
    assert "1 unit under" in found["region"]["title"]
    assert found["region"]["url"] == reverse("reviews:report_list") + "?year=2022"
    review_services.report_update(
        actor=alice, report=report_a, outcomes={o.deliverable_id: {"status": "done"} for o in report_a.outcomes.all()}
    )
    review_services.report_submit(actor=alice, report=report_a)
    assert "region" not in steps(client, rita)


def test_the_office_sees_the_reports_waiting_for_review(client, submitted_report, olga):
    found = steps(client, olga)
    assert found["review"]["title"] == "1 report waits for your review"
    assert found["review"]["url"] == reverse("reviews:report_list") + "?year=2022&state=submitted"
    assert reverse("reviews:dashboard", args=[2022]) in client.get(reverse("home")).content.decode()


def test_the_office_is_told_to_compile_then_propose_and_the_dg_to_approve(
    client, accepted_report, priorities, cycle, olga, dino
):
    with time_machine.travel("2022-12-23 10:00 +01:00", tick=False):
        assert steps(client, olga)["compile"]["url"] == reverse("roadmap:detail", args=[2023])
        roadmap, _ = roadmap_services.roadmap_compile(actor=olga, cycle=cycle)
        assert "version 1" in steps(client, olga)["propose"]["title"]
        assert "approve" not in steps(client, dino)
        roadmap_services.roadmap_propose(actor=olga, roadmap=roadmap)
        found = steps(client, dino)
        assert found["approve"]["url"] == reverse("roadmap:detail", args=[2023])
        assert found["approve"]["level"] == "urgent"
        assert "awaiting" in steps(client, olga)
        roadmap_services.roadmap_approve(actor=dino, roadmap=Roadmap.objects.get(pk=roadmap.pk))
        after = set(steps(client, dino)) | set(steps(client, olga))
        assert not {"approve", "awaiting", "propose", "compile"} & after


def test_the_dg_is_told_to_record_the_priorities(client, cycle, dino, frozen):
    found = steps(client, dino)
    assert found["priorities"]["url"] == reverse("roadmap:priorities", args=[2022])


def test_a_head_sees_the_milestones_coming_due(client, approved, alice, bob):
    with time_machine.travel("2023-06-10 10:00 +01:00", tick=False):
        found = steps(client, alice)
        own = {reverse("roadmap:objective_detail", args=[o.pk]) for o in approved.objectives.filter(owner__code="SP-A")}
        assert found["milestone"]["url"] in own
        assert "due in 20 days" in found["milestone"]["rest"]
        assert "milestone" not in steps(client, bob)  # editors do not record progress


def test_nothing_to_do_says_so_in_every_language(client, oscar):
    for language, text in (("fr", "Rien ne vous attend"), ("ar", "لا شيء"), ("en", "Nothing waits for you")):
        client.force_login(oscar)
        client.cookies["django_language"] = language
        assert text in client.get(reverse("home")).content.decode()


def test_the_steps_are_translated(client, report_a, bob, frozen):
    assert "Remplir le rapport" in steps(client, bob, "fr")["fill"]["title"]
    assert "ملء تقرير" in steps(client, bob, "ar")["fill"]["title"]


@pytest.mark.parametrize("who", ["bob", "alice", "rita", "olga", "dino"])
def test_the_home_page_costs_the_same_queries_with_more_units_and_reports(
    client, who, request, submitted_report, region, frozen
):
    user = request.getfixturevalue(who)
    before = count_queries(client, user)
    for index in range(3):
        unit = DirectorateFactory(code=f"SP-X{index}", parent=region)
        alice = MembershipFactory(
            user=User.objects.get(username="alice"), directorate=unit, role=Membership.Role.HEAD
        ).user
        bob = MembershipFactory(
            user=User.objects.get(username="bob"), directorate=unit, role=Membership.Role.EDITOR
        ).user
        report = review_services.report_start(actor=bob, cycle=submitted_report.cycle, directorate=unit)
        if index:
            review_services.report_submit(actor=alice, report=report)
    assert count_queries(client, User.objects.get(pk=user.pk)) == before


def test_milestone_steps_cost_the_same_queries_with_more_milestones(client, approved, alice, olga):
    with time_machine.travel("2023-06-10 10:00 +01:00", tick=False):
        before = count_queries(client, alice)
        for objective in approved.objectives.filter(owner__code="SP-A"):
            for n in range(3, 7):  # more milestones due (written directly: the approved roadmap is frozen)
                Milestone.objects.create(
                    objective=objective, title=f"Phase {n}", due_date=datetime.date(2023, 6, 30), target_value=50
                )
        assert count_queries(client, alice) == before
