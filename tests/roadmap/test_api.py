"""The roadmap through /api/v1/: roadmaps and their transitions, objectives, progress, priorities."""

import pytest

from roadmap.models import Objective, Roadmap
from tests.helpers import if_match


def as_(api, user):
    api.force_authenticate(user)
    return api


def test_compile_then_get_the_roadmap(api, olga, accepted_report, priorities):
    response = as_(api, olga).post("/api/v1/roadmaps/2023/compile/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == Objective.objects.count() > 0
    assert body["roadmap"]["state"] == "draft"
    got = api.get("/api/v1/roadmaps/2023/").json()
    assert (got["year"], got["from_cycle"], got["version"], got["state"]) == (2023, 2022, 1, "draft")
    assert set(got["actions"]) == {"compile", "propose"}


def test_compile_is_refused_to_a_unit_head(api, alice, accepted_report):
    response = as_(api, alice).post("/api/v1/roadmaps/2023/compile/")
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "errors"}


def test_compile_for_a_year_without_cycle_is_404(api, olga, cycle):
    assert as_(api, olga).post("/api/v1/roadmaps/2031/compile/").status_code == 404


def test_propose_approve_and_return_through_the_api(api, draft, olga, dino):
    assert as_(api, dino).post("/api/v1/roadmaps/2023/propose/").status_code == 403
    assert as_(api, olga).post("/api/v1/roadmaps/2023/propose/").json()["state"] == "proposed"
    assert as_(api, olga).post("/api/v1/roadmaps/2023/approve/").status_code == 403
    response = as_(api, dino).post("/api/v1/roadmaps/2023/return/", {"comment": ""}, format="json")
    assert response.status_code == 400
    response = as_(api, dino).post("/api/v1/roadmaps/2023/return/", {"comment": "Cibles ?"}, format="json")
    assert response.json()["state"] == "draft"
    as_(api, olga).post("/api/v1/roadmaps/2023/propose/")
    body = as_(api, dino).post("/api/v1/roadmaps/2023/approve/").json()
    assert (body["state"], body["approved_version"], body["versions"][0]["number"]) == ("approved", 1, 1)
    assert as_(api, dino).post("/api/v1/roadmaps/2023/approve/").status_code == 409


def test_new_version_and_diff(api, approved, olga):
    body = as_(api, olga).post("/api/v1/roadmaps/2023/new-version/").json()
    assert (body["state"], body["version"]) == ("draft", 2)
    objective = Objective.objects.order_by("ref").first()
    url = f"/api/v1/objectives/{objective.pk}/"
    api.patch(url, {"title": "Titre v2"}, format="json", **if_match(api, url))
    diff = api.get("/api/v1/roadmaps/2023/diff/").json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert diff["changed"][0]["changes"][0]["new"] == "Titre v2"


def test_objective_list_shows_owner_source_milestones_and_status(api, approved, olga):
    body = as_(api, olga).get("/api/v1/objectives/?year=2023").json()
    assert body["count"] == Objective.objects.filter(state="active").count()
    kinds = {o["source"]["kind"] for o in body["results"]}
    assert kinds == {"carry_over", "constraint", "priority"}
    first = body["results"][0]
    assert first["owner"] in {"SP-A", "WS-B"}
    assert first["status"] in {"no_plan", "on_track", "at_risk", "late", "done"}
    assert [m["quarter"] for m in first["milestones"]] == [2, 4]


def test_objective_list_filters(api, approved, olga):
    as_(api, olga)
    assert {o["owner"] for o in api.get("/api/v1/objectives/?year=2023&owner=WS-B").json()["results"]} == {"WS-B"}
    by_priority = api.get("/api/v1/objectives/?year=2023&priority=P1").json()["results"]
    assert {o["priority"] for o in by_priority} == {"P1"} and len(by_priority) == 2
    assert api.get("/api/v1/objectives/?year=2023&source=constraint").json()["count"] == 1


def test_a_unit_head_lists_only_their_objectives(api, approved, charlie):
    body = as_(api, charlie).get("/api/v1/objectives/?year=2023").json()
    assert {o["owner"] for o in body["results"]} == {"WS-B"}


def test_create_and_patch_an_objective_with_milestones(api, draft, olga):
    as_(api, olga)
    response = api.post(
        "/api/v1/objectives/",
        {
            "year": 2023,
            "owner": "WS-B",
            "title": "Nouveau commissariat",
            "priority": "P1",
            "target": "1 bâtiment",
            "milestones": [
                {"title": "Études", "quarter": 1, "target_value": "1"},
                {"title": "Travaux", "due_date": "2023-11-15", "target_value": "1"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"]["kind"], body["owner"], body["priority"]) == ("new", "WS-B", "P1")
    assert [m["due_date"] for m in body["milestones"]] == ["2023-03-31", "2023-11-15"]
    keep = body["milestones"][0]["id"]
    url = f"/api/v1/objectives/{body['id']}/"
    response = api.patch(
        url,
        {"owner": "SP-A", "milestones": [{"id": keep, "title": "Études faites", "quarter": 2}]},
        format="json",
        **if_match(api, url),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == "SP-A"
    assert [(m["id"], m["title"], m["due_date"]) for m in response.json()["milestones"]] == [
        (keep, "Études faites", "2023-06-30")
    ]


def test_invalid_objective_edit_returns_field_errors(api, draft, olga):
    objective = Objective.objects.first()
    url = f"/api/v1/objectives/{objective.pk}/"
    response = as_(api, olga).patch(
        url, {"milestones": [{"title": "", "due_date": "2024-02-01"}]}, format="json", **if_match(api, url)
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]["milestones"]["0"]) == {"title", "due_date"}


def test_a_head_cannot_patch_objectives(api, approved, alice):
    objective = Objective.objects.filter(owner__code="SP-A").first()
    assert (
        as_(api, alice).patch(f"/api/v1/objectives/{objective.pk}/", {"title": "x"}, format="json").status_code == 403
    )


def test_progress_through_the_api(api, approved, alice, charlie, in_2023):
    objective = Objective.objects.filter(owner__code="SP-A", state="active").first()
    milestone = objective.milestones.first()
    url = f"/api/v1/milestones/{milestone.pk}/progress/"
    assert as_(api, charlie).post(url, {"value": "10"}, format="json").status_code == 404  # not visible
    response = as_(api, alice).post(url, {"value": "10", "comment": "Démarré", "evidence": "PV n°3"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["recorded_on"] == "2023-01-10"
    body = api.get(f"/api/v1/objectives/{objective.pk}/").json()
    assert body["milestones"][0]["latest_value"] == "10.00"


def test_priorities_list_create_and_flag_without_owner(api, priorities, dino, alice):
    as_(api, dino)
    body = api.get("/api/v1/priorities/?year=2022").json()
    assert [(p["code"], p["has_owner"], p["roadmap_year"]) for p in body["results"]] == [
        ("P1", True, 2023),
        ("P2", False, 2023),
    ]
    response = api.post(
        "/api/v1/priorities/",
        {"year": 2022, "code": "P3", "title_fr": "Sécurité routière", "owners": ["SP-A"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["owners"] == ["SP-A"]
    pk = body["results"][1]["id"]
    url = f"/api/v1/priorities/{pk}/"
    assert api.patch(url, {"owners": ["WS-B"]}, format="json", **if_match(api, url)).json()["has_owner"] is True
    assert (
        as_(api, alice)
        .post("/api/v1/priorities/", {"year": 2022, "code": "P9", "title_fr": "x"}, format="json")
        .status_code
        == 403
    )


@pytest.mark.parametrize("endpoint", ["/api/v1/objectives/?year=2023", "/api/v1/priorities/?year=2022"])
def test_list_endpoints_run_a_fixed_number_of_queries(api, approved, olga, dino, endpoint, django_assert_num_queries):
    from roadmap import services
    from tests.factories import DirectorateFactory

    roadmap = Roadmap.objects.get()
    as_(api, olga)
    counts = []
    for extra in (0, 5):
        if extra:
            services.roadmap_new_version(actor=olga, roadmap=roadmap)
            units = [DirectorateFactory() for _ in range(extra)]
            for unit in units:
                o = services.objective_create(actor=olga, roadmap=roadmap, owner=unit, title=f"Objectif {unit.code}")
                services.milestones_set(actor=olga, objective=o, milestones=[{"title": "a", "quarter": 1}])
                services.priority_create(
                    actor=dino, cycle=roadmap.cycle, code=f"X{unit.code}", title_fr="p", owners=[unit]
                )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if not counts:
            with CaptureQueriesContext(connection) as ctx:
                assert api.get(endpoint).status_code == 200
            counts.append(len(ctx))
        else:
            with django_assert_num_queries(counts[0]):  # as many queries with five more units
                assert api.get(endpoint).status_code == 200
