"""What a unit may read of /api/v1/roadmaps/: the approved roadmap, never a draft (docs/roadmap.md, "Who reads what").

The DG's office and the DG read every roadmap with its states, events, comments and diffs; a unit's people
read only roadmaps that have an approved version, as of that version: no draft state, no events, no comments,
no diff, and the count of their own objectives only.
"""

from roadmap import services
from roadmap.models import Objective, Roadmap


def as_(api, user):
    api.force_authenticate(user)
    return api


def _new_draft(approved, olga):
    """After approval, the office starts version 2 and edits an objective of unit B (a draft change)."""
    services.roadmap_new_version(actor=olga, roadmap=Roadmap.objects.get(pk=approved.pk), comment="Revoir B")
    objective = Objective.objects.filter(owner__code="WS-B").order_by("ref").first()
    services.objective_update(actor=olga, objective=objective, title="Titre secret du brouillon v2")
    return objective


def test_the_diff_is_refused_to_unit_people_as_on_the_web(api, approved, olga, alice, bob, charlie, rita):
    _new_draft(approved, olga)
    for user in (alice, bob, charlie, rita):
        response = as_(api, user).get("/api/v1/roadmaps/2023/diff/")
        assert response.status_code == 403, (user.username, response.content[:200])
        assert "Titre secret" not in response.content.decode()
        assert set(response.json()) == {"detail", "errors"}
    api.force_authenticate(None)
    api.force_login(alice)
    assert api.get("/roadmap/2023/diff/").status_code == 403


def test_the_office_still_reads_the_diff(api, approved, olga, dino):
    _new_draft(approved, olga)
    for user in (olga, dino):
        body = as_(api, user).get("/api/v1/roadmaps/2023/diff/").json()
        assert body["changed"][0]["changes"][0]["new"] == "Titre secret du brouillon v2"


def test_a_draft_roadmap_is_invisible_to_unit_people(api, draft, alice, charlie):
    for user in (alice, charlie):
        as_(api, user)
        assert api.get("/api/v1/roadmaps/").json()["count"] == 0
        assert api.get("/api/v1/roadmaps/2023/").status_code == 404
        assert api.get("/api/v1/roadmaps/2023/diff/").status_code == 403


def test_a_unit_reads_the_approved_roadmap_without_drafts_events_or_comments(api, approved, olga, alice, charlie):
    _new_draft(approved, olga)
    full = as_(api, olga).get("/api/v1/roadmaps/2023/").json()
    assert full["state"] == "draft" and full["version"] == 2 and full["events"]
    for user, own in ((alice, "SP-A"), (charlie, "WS-B")):
        body = as_(api, user).get("/api/v1/roadmaps/2023/").json()
        assert (body["state"], body["version"], body["approved_version"]) == ("approved", 1, 1)
        assert body["events"] == [] and body["actions"] == []
        assert [v["comment"] for v in body["versions"]] == [""]
        assert (
            body["objective_count"]
            == Objective.objects.filter(roadmap=approved, owner__code=own, state="active", is_draft=False).count()
        )
        listed = api.get("/api/v1/roadmaps/").json()["results"]
        assert listed == [body]
        assert "Revoir B" not in str(listed)


def test_a_unit_never_sees_another_units_objectives_through_any_roadmap_endpoint(api, approved, olga, alice):
    _new_draft(approved, olga)
    as_(api, alice)
    for url in (
        "/api/v1/roadmaps/",
        "/api/v1/roadmaps/2023/",
        "/api/v1/roadmaps/2023/diff/",
        "/api/v1/objectives/?year=2023",
    ):
        text = api.get(url).content.decode()
        assert "WS-B" not in text and "Titre secret" not in text, url


def test_the_web_roadmap_page_shows_no_draft_comments_to_unit_people(client, approved, olga, dino, alice):
    services.roadmap_new_version(actor=olga, roadmap=Roadmap.objects.get(pk=approved.pk), comment="Revoir B")
    client.force_login(alice)
    assert "Revoir B" not in client.get("/roadmap/2023/").content.decode()
    client.force_login(olga)
    assert "Revoir B" in client.get("/roadmap/2023/").content.decode()
