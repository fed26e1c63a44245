"""The web pages: national view, objective edit, progress, meeting with agenda and briefing, priorities."""

import pytest
from django.conf import settings
from django.urls import reverse

from roadmap import services
from roadmap.models import AgendaItem, Attendance, Meeting, Objective, Priority, ProgressUpdate, Roadmap


def login(client, user):
    client.force_login(user)
    return client


def test_national_view_shows_status_and_actions_for_the_office(client, draft, olga):
    page = login(client, olga).get("/roadmap/2023/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="objectives"' in html and "R2023-0001" in html
    assert "roadmap/2023/propose/" in html and "roadmap/2023/approve/" not in html


def test_the_dg_sees_approve_and_send_back_on_a_proposed_roadmap(client, draft, olga, dino):
    services.roadmap_propose(actor=olga, roadmap=draft)
    html = login(client, dino).get("/roadmap/2023/").content.decode()
    assert "roadmap/2023/approve/" in html and "roadmap/2023/return/" in html
    assert "roadmap/2023/compile/" not in html


def test_the_whole_cycle_through_the_pages(client, accepted_report, priorities, olga, dino):
    login(client, olga).post("/roadmap/2023/compile/")
    roadmap = Roadmap.objects.get(year=2023)
    assert roadmap.objectives.count() == 5
    objective = roadmap.objectives.order_by("ref").first()
    response = client.post(
        f"/objectives/{objective.pk}/edit/",
        {
            "title": "Titre revu",
            "owner": objective.owner_id,
            "category": "operations",
            "target": "3 brigades",
            "milestones-TOTAL_FORMS": "2",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "Phase 1",
            "milestones-0-quarter": "2",
            "milestones-0-target_value": "1",
            "milestones-1-title": "",
            "milestones-1-quarter": "",
        },
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.title, objective.milestones.get().due_date.isoformat()) == ("Titre revu", "2023-06-30")
    client.post("/roadmap/2023/propose/", {"comment": ""})
    login(client, dino).post("/roadmap/2023/return/", {"comment": ""})
    assert Roadmap.objects.get().state == "proposed"  # a comment is required
    client.post("/roadmap/2023/approve/", {"comment": "Validé"})
    assert Roadmap.objects.get().state == "approved"


def test_objective_edit_shows_milestone_errors_in_place(client, draft, olga):
    objective = draft.objectives.first()
    response = login(client, olga).post(
        f"/objectives/{objective.pk}/edit/",
        {
            "title": "x",
            "owner": objective.owner_id,
            "category": "operations",
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "Phase",
            "milestones-0-due_date": "2024-02-01",
        },
    )
    assert response.status_code == 200
    assert "2023" in response.context["formset"].forms[0].errors["due_date"][0]


def test_drop_merge_split_from_the_edit_page(client, draft, olga):
    first, second, third = draft.objectives.order_by("ref")[:3]
    login(client, olga)
    client.post(f"/objectives/{first.pk}/drop/", {"reason": "Couvert ailleurs"})
    client.post(f"/objectives/{second.pk}/merge/", {"refs": third.ref})
    client.post(f"/objectives/{second.pk}/split/", {"titles": "Volet A\nVolet B"})
    assert Objective.objects.get(pk=first.pk).state == "dropped"
    assert Objective.objects.get(pk=third.pk).merged_into_id == second.pk
    assert Objective.objects.filter(title="Volet B").exists()


def test_a_head_records_progress_on_their_milestone_only(client, approved, alice, charlie, unit_a, in_2023):
    milestone = approved.objectives.filter(owner=unit_a).first().milestones.first()
    assert login(client, charlie).get(f"/milestones/{milestone.pk}/progress/").status_code == 404
    login(client, alice)
    assert client.get(f"/milestones/{milestone.pk}/progress/").status_code == 200
    response = client.post(
        f"/milestones/{milestone.pk}/progress/",
        {"value": "20", "recorded_on": "2023-01-09", "comment": "ok", "evidence": "PV"},
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().value == 20
    assert f"/milestones/{milestone.pk}/progress/" in client.get(response.url).content.decode()


def test_a_head_sees_only_their_units_objectives(client, approved, charlie):
    html = login(client, charlie).get("/roadmap/2023/").content.decode()
    assert "WS-B" in html and "SP-A" not in html


def test_meeting_agenda_reorder_and_attendance(client, accepted_report, cycle, olga, charlie, unit_b, frozen):
    from reviews import services as review_services
    from tests.conftest import fill

    report_b = review_services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
    fill(report_b, charlie)
    review_services.report_submit(actor=charlie, report=report_b)
    review_services.report_accept(actor=olga, report=report_b)
    login(client, olga).post("/meetings/2022/build/", {"date": "2022-12-22", "place": "Rabat"})
    meeting = Meeting.objects.get()
    assert [i.directorate.code for i in meeting.agenda.all()] == ["SP-A", "WS-B"] or [
        i.directorate.code for i in meeting.agenda.all()
    ] == ["WS-B", "SP-A"]
    before = [i.directorate.code for i in meeting.agenda.all()]
    client.post("/meetings/2022/move/", {"item": meeting.agenda.last().pk, "direction": "up"})
    assert [i.directorate.code for i in AgendaItem.objects.filter(meeting=meeting)] == before[::-1]
    assert {(a.directorate.code, a.person.username) for a in meeting.attendance.all()} == {
        ("SP-A", "alice"),
        ("WS-B", "charlie"),
    }
    client.post("/meetings/2022/attendance/", {"present": [unit_b.pk]})
    assert {a.directorate.code: a.present for a in Attendance.objects.all()} == {"SP-A": False, "WS-B": True}
    client.post("/meetings/2022/build/", {"date": "2022-12-22", "place": "Rabat"})  # again: order kept
    assert [i.directorate.code for i in AgendaItem.objects.filter(meeting=meeting)] == before[::-1]
    html = client.get("/meetings/2022/").content.decode()
    assert 'id="agenda"' in html and "Rabat" in html
    region = unit_b.__class__.objects.get(code="WS-R")
    client.post("/meetings/2022/invite/", {"units": [region.pk]})
    assert meeting.attendance.filter(directorate=region, present=False).exists()


def test_briefing_pack_is_printable(client, accepted_report, olga):
    services.meeting_build(actor=olga, cycle=accepted_report.cycle)
    html = login(client, olga).get("/meetings/2022/briefing/SP-A/").content.decode()
    # Its print styles are a file of their own (the Content-Security-Policy allows no inline style).
    assert "/static/css/briefing.css" in html
    assert "@media print" in (settings.BASE_DIR / "static/css/briefing.css").read_text()
    assert "Brigade cynophile créée" in html and "Parc automobile vieillissant" in html
    assert 'data-key="partial"' in html


@pytest.mark.parametrize("role", ["alice", "dino"])
def test_meeting_building_is_the_offices_job(client, request, role, accepted_report):
    client.force_login(request.getfixturevalue(role))
    client.post("/meetings/2022/build/", {"date": "2022-12-22"})
    assert not Meeting.objects.exists()


def test_priorities_page_flags_a_priority_without_owner_and_records_one(client, priorities, dino, unit_a):
    login(client, dino)
    html = client.get("/priorities/2022/").content.decode()
    assert html.count("no-owner") == 1
    response = client.post("/priorities/2022/", {"code": "P3", "title_fr": "Sécurité routière", "owners": [unit_a.pk]})
    assert response.status_code == 302
    assert list(Priority.objects.get(code="P3").owners.values_list("code", flat=True)) == ["SP-A"]


def test_nav_entry_points_redirect(client, draft, olga):
    login(client, olga)
    assert client.get("/roadmap/").url == "/roadmap/2023/"
    assert client.get("/priorities/").url == "/priorities/2022/"
    assert client.get("/meetings/").url == "/meetings/2022/"


def test_national_view_query_count_does_not_grow(client, approved, olga, dino, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DirectorateFactory

    login(client, olga)
    counts = []
    for extra in (0, 6):
        if extra:
            services.roadmap_new_version(actor=olga, roadmap=approved)
            for _ in range(extra):
                unit = DirectorateFactory()
                o = services.objective_create(actor=olga, roadmap=approved, owner=unit, title=f"Objectif {unit.code}")
                services.milestones_set(actor=olga, objective=o, milestones=[{"title": "a", "quarter": 1}])
        if not counts:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("roadmap:detail", args=[2023])).status_code == 200
            counts.append(len(ctx))
        else:
            with django_assert_num_queries(counts[0]):  # as many queries with six more units
                assert client.get(reverse("roadmap:detail", args=[2023])).status_code == 200


def test_admin_lists_roadmap_objects_read_only(client, approved, root):
    login(client, root)
    for name in ("objective", "roadmap", "priority", "roadmapversion", "progressupdate", "meeting"):
        assert client.get(f"/admin/roadmap/{name}/").status_code == 200
    assert client.get("/admin/roadmap/objective/add/").status_code == 403


def _accepted_unit(cycle, olga):
    from directorates.models import Membership
    from reviews import services as review_services
    from tests.conftest import fill
    from tests.factories import DeliverableFactory, DirectorateFactory, UserFactory

    unit = DirectorateFactory()
    head = UserFactory()
    Membership.objects.create(user=head, directorate=unit, role=Membership.Role.HEAD)
    DeliverableFactory(directorate=unit)
    report = review_services.report_start(actor=head, cycle=cycle, directorate=unit)
    fill(report, head)
    review_services.report_submit(actor=head, report=report)
    review_services.report_accept(actor=olga, report=report)
    return unit


@pytest.mark.parametrize("url", ["/meetings/2022/", "/priorities/2022/"])
def test_meeting_and_priorities_pages_run_a_fixed_number_of_queries(
    client, accepted_report, priorities, olga, dino, cycle, url
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, olga)
    counts = []
    for extra in (0, 4):
        for _ in range(extra):
            unit = _accepted_unit(cycle, olga)
            services.priority_create(actor=dino, cycle=cycle, code=f"Z{unit.code}", title_fr="p", owners=[unit])
        services.meeting_build(actor=olga, cycle=cycle)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_roadmap_api_list_runs_a_fixed_number_of_queries(api, approved, olga, django_assert_num_queries):
    from tests.factories import CycleFactory

    api.force_authenticate(olga)
    # count, roadmaps (+ cycle, objective count), versions (+ who proposed and approved them, joined), events,
    # their actors, savepoints. (olga's rights are already read: the same user object served the fixtures.)
    with django_assert_num_queries(7):
        body = api.get("/api/v1/roadmaps/").json()
    assert body["results"][0]["objective_count"] == approved.objectives.filter(state="active").count()
    services.roadmap_compile(actor=olga, cycle=CycleFactory(year=2023))
    with django_assert_num_queries(7):
        assert api.get("/api/v1/roadmaps/").json()["count"] == 2


def test_agenda_and_attendance_changes_leave_history_rows(accepted_report, olga):
    meeting = services.meeting_build(actor=olga, cycle=accepted_report.cycle)
    item = meeting.agenda.get()
    assert item.history.filter(history_type="+", history_user=olga).exists()
    services.attendance_record(actor=olga, meeting=meeting, present_unit_ids=[item.directorate_id])
    row = meeting.attendance.get()
    assert row.history.filter(history_type="~", history_user=olga, history_change_reason="attendance recorded").exists()
