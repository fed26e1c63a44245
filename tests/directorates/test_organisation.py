"""The organisation tree, who sees which unit, the cahier des charges and its history."""

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.test import override_settings
from django.urls import reverse

from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from directorates import permissions, services
from directorates.models import Deliverable, Directorate, User
from tests.factories import DirectorateFactory


def test_path_follows_the_parent_and_moves_with_the_subtree(region, unit_a, unit_b, root):
    assert unit_a.path == "WS-R/SP-A/"
    region.parent = unit_b
    services.directorate_save(actor=root, directorate=region)
    unit_a.refresh_from_db()
    assert unit_a.path == "WS-B/WS-R/SP-A/"


def _subtree(parent, depth, width):
    for _ in range(width):
        child = DirectorateFactory(parent=parent)
        if depth > 1:
            _subtree(child, depth - 1, width)


@pytest.mark.parametrize("width", [2, 4])  # 6 then 20 units under the region
def test_moving_a_region_is_a_fixed_handful_of_queries_and_one_history_row_per_unit(
    region, unit_b, root, width, django_assert_num_queries
):
    _subtree(region, 2, width)
    moved = list(Directorate.objects.filter(path__startswith=region.path).exclude(pk=region.pk))
    region.parent = unit_b
    # Parent's path, UPDATE of the region and its history row, one UPDATE of the subtree, the moved
    # units read once and their history rows in one INSERT (+ the transaction's savepoint pair).
    with django_assert_num_queries(7):
        services.directorate_save(actor=root, directorate=region)
    for unit in Directorate.objects.filter(pk__in=[u.pk for u in moved]):
        assert unit.path.startswith("WS-B/WS-R/") and unit.path == unit.computed_path()
        rows = list(unit.history.order_by("history_id"))
        assert len(rows) == 2 and rows[-1].path == unit.path and rows[-1].history_user == root


def test_a_unit_cannot_be_moved_under_its_own_subtree(region, unit_a, root):
    region.parent = unit_a
    with pytest.raises(ValidationFailed):
        services.directorate_save(actor=root, directorate=region)


def test_only_administrators_change_the_tree(unit_a, olga):
    unit_a.name_fr = "Autre nom"
    with pytest.raises(NotAllowed):
        services.directorate_save(actor=olga, directorate=unit_a)


def test_visibility_per_role(unit_a, unit_b, region, alice, bob, charlie, rita, olga, dino, oscar):
    visible = {
        name: set(permissions.visible_directorates(user).values_list("code", flat=True))
        for name, user in [
            ("alice", alice),
            ("bob", bob),
            ("charlie", charlie),
            ("rita", rita),
            ("olga", olga),
            ("dino", dino),
            ("oscar", oscar),
        ]
    }
    assert visible["alice"] == {"SP-A"}
    assert visible["bob"] == {"SP-A"}
    assert visible["charlie"] == {"WS-B"}
    assert visible["rita"] == {"WS-R", "SP-A"}
    assert visible["olga"] == visible["dino"] == {"WS-R", "SP-A", "WS-B"}
    assert visible["oscar"] == set()


def test_inactive_user_sees_nothing(unit_a, alice):
    alice.is_active = False
    assert not permissions.visible_directorates(alice).exists()


def test_deliverable_created_and_changed_with_history(unit_a, alice):
    import datetime

    d = services.deliverable_create(
        actor=alice,
        directorate=unit_a,
        year=2022,
        title="Salle de commandement",
        category="equipment",
        due_date=datetime.date(2022, 6, 30),
    )
    services.deliverable_update(actor=alice, deliverable=d, target_quantity=3, target_unit="salles")
    records = list(d.history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].history_user == alice
    delta = records[-1].diff_against(records[0])
    assert {c.field for c in delta.changes} >= {"target_quantity", "target_unit"}


@pytest.mark.parametrize("role", ["victor", "charlie", "rita", "oscar", "dino"])
def test_only_unit_writers_office_or_admin_manage_deliverables(request, role, unit_a):
    import datetime

    with pytest.raises(NotAllowed):
        services.deliverable_create(
            actor=request.getfixturevalue(role),
            directorate=unit_a,
            year=2022,
            title="x",
            category="training",
            due_date=datetime.date(2022, 5, 1),
        )


def test_cahier_is_frozen_once_the_report_is_submitted(submitted_report, alice, olga):
    deliverable = submitted_report.outcomes.first().deliverable
    for actor in (alice, olga):
        with pytest.raises(InvalidTransition):
            services.deliverable_update(actor=actor, deliverable=deliverable, title="Changé")
    assert Deliverable.objects.get(pk=deliverable.pk).title != "Changé"


def test_duplicate_title_in_a_cahier_is_refused(deliverables, alice):
    import datetime

    with pytest.raises(ValidationFailed) as error:
        services.deliverable_create(
            actor=alice,
            directorate=deliverables[0].directorate,
            year=2022,
            title=deliverables[0].title,
            category="training",
            due_date=datetime.date(2022, 5, 1),
        )
    assert "title" in error.value.errors


def test_bulk_created_rows_get_history_rows(report_a):
    # report_start bulk-creates outcomes: each has its "created" history row.
    assert report_a.outcomes.count() == 2
    from reviews.models import Outcome

    assert Outcome.history.filter(report_id=report_a.pk, history_type="+").count() == 2


def test_conditional_update_transitions_leave_history(submitted_report, alice):
    rows = list(submitted_report.history.order_by("history_id"))
    assert rows[-1].state == "submitted" and rows[-1].history_user == alice


def test_unit_history_page_for_the_dg_office_only(client, deliverables, olga, alice):
    client.force_login(olga)
    html = client.get(reverse("directorates:unit_history", args=["SP-A"])).content.decode()
    assert deliverables[0].title in html
    client.force_login(alice)
    assert client.get(reverse("directorates:unit_history", args=["SP-A"])).status_code == 403


def test_cahier_page_is_scoped(client, deliverables, charlie, bob):
    client.force_login(bob)
    assert (
        deliverables[0].title in client.get(reverse("directorates:cahier_year", args=["SP-A", 2022])).content.decode()
    )
    client.force_login(charlie)
    assert client.get(reverse("directorates:cahier_year", args=["SP-A", 2022])).status_code == 404


@override_settings(DEBUG=True, DEMO_LOGINS_ENABLED=True)
def test_demo_loads_the_seed_organisation_in_every_state(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "head." in out and "password for all: demo" in out
    assert Directorate.objects.get(code="DGSN").parent is None
    assert Directorate.objects.get(code="WS-CASA").kind == "security_prefecture"
    assert Directorate.objects.filter(kind="provincial_security").exists()
    from reviews.models import Report, ReviewCycle

    cycle = ReviewCycle.objects.get(year=2022)
    assert str(cycle.meeting_date) == "2022-12-22"
    assert set(Report.objects.values_list("state", flat=True)) >= {"draft", "submitted", "returned", "accepted"}
    assert User.objects.filter(username="head.ws-casa", is_demo=True).exists()
    call_command("load_demo")  # again: keeps the data
    assert Directorate.objects.filter(code="DGSN").count() == 1


def test_demo_accounts_are_refused_when_debug_is_off(client, db, settings):
    User.objects.create_user(username="head.x", password="demo", is_demo=True)
    settings.DEMO_LOGINS_ENABLED = False
    # django-axes checks every password login against its lock-out, so it needs the request.
    assert client.login(request=HttpRequest(), username="head.x", password="demo") is False
    response = client.post(reverse("login"), {"username": "head.x", "password": "demo"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    settings.DEMO_LOGINS_ENABLED = True
    assert client.login(request=HttpRequest(), username="head.x", password="demo") is True


def test_demo_refuses_to_load_without_debug(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_unit_list_page(client, unit_a, region, bob, rita):
    client.force_login(rita)
    html = client.get(reverse("directorates:unit_list")).content.decode()
    assert "SP-A" in html and "WS-R" in html
    client.force_login(bob)
    assert "/units/WS-R/" not in client.get(reverse("directorates:unit_list")).content.decode()


def test_directorate_factory_codes_are_unique(db):
    assert DirectorateFactory().code != DirectorateFactory().code


def test_head_adds_a_deliverable_through_the_page(client, unit_a, alice):
    client.force_login(alice)
    url = reverse("directorates:deliverable_add", args=["SP-A", 2022])
    response = client.post(
        url,
        {
            "title": "Former 40 agents",
            "category": "training",
            "target_quantity": "40",
            "target_unit": "agents",
            "due_date": "2022-09-30",
        },
    )
    assert response.status_code == 302
    assert Deliverable.objects.get(directorate=unit_a, year=2022).target_quantity == 40


def test_deliverable_form_errors_keep_the_input(client, unit_a, alice):
    client.force_login(alice)
    url = reverse("directorates:deliverable_add", args=["SP-A", 2022])
    response = client.post(url, {"title": "Hors année", "category": "training", "due_date": "2023-03-01"})
    html = response.content.decode()
    assert response.status_code == 200 and "Hors année" in html and "2022" in html
    assert not Deliverable.objects.exists()


def test_viewer_and_other_units_cannot_reach_the_deliverable_form(client, unit_a, bob, victor, charlie):
    client.force_login(bob)
    assert client.get(reverse("directorates:deliverable_add", args=["SP-A", 2022])).status_code == 200
    client.force_login(victor)
    assert client.get(reverse("directorates:deliverable_add", args=["SP-A", 2022])).status_code == 403
    client.force_login(charlie)
    assert client.get(reverse("directorates:deliverable_add", args=["SP-A", 2022])).status_code == 404


def test_admin_opens_a_cycle_through_the_service(client, root):
    from reviews.models import ReviewCycle

    client.force_login(root)
    response = client.post(
        reverse("admin:reviews_reviewcycle_add"),
        {"year": 2023, "submission_deadline": "2023-12-08", "meeting_date": "2023-12-21"},
    )
    assert response.status_code == 302
    assert ReviewCycle.objects.get(year=2023).history.get().history_user == root
    response = client.post(
        reverse("admin:reviews_reviewcycle_add"),
        {"year": 2024, "submission_deadline": "2024-12-20", "meeting_date": "2024-12-01"},
    )
    assert response.status_code == 200 and not ReviewCycle.objects.filter(year=2024).exists()
