"""While the DG's office drafts a next version of an approved roadmap, units read only the approved version.

The office edits copies of the objectives (title, milestones, owner, state, new objectives); unit A's editor
and head, and the head of A's region, keep reading the approved objectives on every page, endpoint and export
that shows them, and keep recording progress on the approved milestones. The approval brings the draft in.
"""

import datetime

import pytest
from django.urls import reverse

from roadmap import services
from roadmap.models import Milestone, Objective, ProgressUpdate, Roadmap
from transfers import services as transfer_services

pytestmark = pytest.mark.django_db

APPROVED_TITLE = "Titre approuvé pour SP-A"
DRAFT_TITLE = "Titre secret du brouillon"
DRAFT_MILESTONE = "Jalon secret du brouillon"
NEW_DRAFT_OBJECTIVE = "Nouveau projet secret du brouillon"


@pytest.fixture
def redraft(approved, olga, dino, unit_a, unit_b, in_2023):
    """Version 1 approved with A's objective titled APPROVED_TITLE; version 2 drafted by the office: that
    objective retitled, its first milestone renamed and moved, a new objective for A, another of A's
    objectives dropped and a third moved to unit B."""
    roadmap = Roadmap.objects.get(pk=approved.pk)
    mine = list(Objective.objects.filter(roadmap=roadmap, owner=unit_a).order_by("ref"))
    assert len(mine) >= 3
    first, dropped, moved = mine[:3]
    # The approved title is known to the test (version 1 is re-approved with it).
    services.roadmap_new_version(actor=olga, roadmap=roadmap)
    services.objective_update(actor=olga, objective=first, title=APPROVED_TITLE)
    services.roadmap_propose(actor=olga, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    roadmap = services.roadmap_approve(actor=dino, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    first.refresh_from_db()
    assert first.title == APPROVED_TITLE and not getattr(first, "is_draft", False)

    services.roadmap_new_version(actor=olga, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    milestone = first.milestones.order_by("due_date").first()
    services.objective_update(
        actor=olga,
        objective=first,
        title=DRAFT_TITLE,
        milestones=[
            {"id": milestone.pk, "title": DRAFT_MILESTONE, "quarter": 1, "target_value": 10},
            *({"id": m.pk} for m in first.milestones.order_by("due_date")[1:]),
        ],
    )
    services.objective_drop(actor=olga, objective=dropped, reason="Abandonné dans le brouillon")
    services.objective_update(actor=olga, objective=moved, owner=unit_b)
    services.objective_create(
        actor=olga, roadmap=Roadmap.objects.get(pk=roadmap.pk), title=NEW_DRAFT_OBJECTIVE, owner=unit_a
    )
    return {
        "roadmap": Roadmap.objects.get(pk=roadmap.pk),
        "first": first,
        "dropped": dropped,
        "moved": moved,
        "milestone": milestone,
    }


@pytest.fixture
def unit_people(alice, bob, rita):
    return {"alice": alice, "bob": bob, "rita": rita}


SECRETS = (DRAFT_TITLE, DRAFT_MILESTONE, NEW_DRAFT_OBJECTIVE, "Abandonné dans le brouillon")


def _no_secret(text, where):
    for secret in SECRETS:
        assert secret not in text, (where, secret)


def test_unit_pages_show_the_approved_objective_while_the_office_drafts(client, redraft, unit_people):
    first, milestone = redraft["first"], redraft["milestone"]
    for name, user in unit_people.items():
        client.force_login(user)
        for url in (
            reverse("roadmap:detail", args=[2023]),
            reverse("roadmap:home"),
            reverse("roadmap:objective_detail", args=[first.pk]),
            reverse("roadmap:detail", args=[2023]) + "?owner=SP-A",
        ):
            response = client.get(url, follow=True)
            assert response.status_code == 200, (name, url)
            page = response.content.decode()
            _no_secret(page, (name, url))
        page = client.get(reverse("roadmap:objective_detail", args=[first.pk])).content.decode()
        assert APPROVED_TITLE in page and milestone.title in page
        # The draft copy is not reachable by its own id either.
        draft_copy = Objective.objects.get(draft_of=first)
        assert client.get(reverse("roadmap:objective_detail", args=[draft_copy.pk])).status_code == 404
        progress = client.get(reverse("roadmap:progress", args=[milestone.pk]), follow=True)
        if progress.status_code == 200:
            _no_secret(progress.content.decode(), (name, "progress"))


def test_unit_api_shows_the_approved_objectives_while_the_office_drafts(api, redraft, unit_people):
    first, dropped, moved, milestone = redraft["first"], redraft["dropped"], redraft["moved"], redraft["milestone"]
    for name, user in unit_people.items():
        api.force_authenticate(user)
        listed = api.get("/api/v1/objectives/?year=2023&state=all").json()["results"]
        _no_secret(str(listed), name)
        by_id = {o["id"]: o for o in listed}
        assert set(by_id) >= {first.pk, dropped.pk, moved.pk}, name  # moved to B in the draft only: still A's
        assert by_id[first.pk]["title"] == APPROVED_TITLE
        assert by_id[dropped.pk]["state"] == "active"
        assert by_id[moved.pk]["owner"] == "SP-A"
        shown = by_id[first.pk]["milestones"][0]
        assert (shown["id"], shown["title"], shown["due_date"]) == (
            milestone.pk,
            milestone.title,
            milestone.due_date.isoformat(),
        )
        detail = api.get(f"/api/v1/objectives/{first.pk}/").json()
        assert detail["title"] == APPROVED_TITLE
        _no_secret(str(detail), name)
        for url in ("/api/v1/roadmaps/", "/api/v1/roadmaps/2023/"):
            _no_secret(api.get(url).content.decode(), (name, url))
        count = api.get("/api/v1/roadmaps/2023/").json()["objective_count"]
        assert (
            count
            == Objective.objects.filter(
                roadmap=redraft["roadmap"], is_draft=False, state="active", owner__code="SP-A"
            ).count()
        ), name


def test_unit_exports_hold_the_approved_objectives(redraft, unit_people):
    for name, user in unit_people.items():
        content = transfer_services.export_file(user=user, kind_key="objectives", fmt="csv").decode("utf-8-sig")
        assert APPROVED_TITLE in content, name
        _no_secret(content, name)


def test_the_office_reads_and_edits_the_draft(api, client, redraft, olga):
    first = redraft["first"]
    api.force_authenticate(olga)
    listed = api.get("/api/v1/objectives/?year=2023&state=all").json()["results"]
    titles = {o["title"] for o in listed}
    assert DRAFT_TITLE in titles and NEW_DRAFT_OBJECTIVE in titles and APPROVED_TITLE not in titles
    # The approved objective's id leads the office to the draft it edits.
    assert api.get(f"/api/v1/objectives/{first.pk}/").json()["title"] == DRAFT_TITLE
    client.force_login(olga)
    assert DRAFT_TITLE in client.get(reverse("roadmap:objective_detail", args=[first.pk])).content.decode()


def test_progress_is_recorded_on_the_approved_milestone_during_the_draft_and_kept(
    api, client, redraft, alice, dino, olga
):
    first, milestone = redraft["first"], redraft["milestone"]
    api.force_authenticate(alice)
    response = api.post(f"/api/v1/milestones/{milestone.pk}/progress/", {"value": "7"}, format="json")
    assert response.status_code == 201, response.content[:300]
    draft_milestone = Milestone.objects.get(draft_of=milestone)
    assert draft_milestone.progress_value == 7  # the office's draft shows the progress as it goes
    response = api.post(f"/api/v1/milestones/{draft_milestone.pk}/progress/", {"value": "8"}, format="json")
    assert response.status_code == 404  # a draft's milestone is not tracked
    api.force_authenticate(olga)
    shown = api.get(f"/api/v1/objectives/{first.pk}/").json()["milestones"][0]
    assert (shown["title"], [p["value"] for p in shown["progress"]]) == (DRAFT_MILESTONE, ["7.00"])
    client.force_login(olga)
    page = client.get(reverse("roadmap:objective_detail", args=[first.pk])).content.decode()
    assert DRAFT_MILESTONE in page and ": 7 · " in page  # the progress recorded by the unit's head, beside the draft
    roadmap = redraft["roadmap"]
    services.roadmap_propose(actor=olga, roadmap=roadmap)
    services.roadmap_approve(actor=dino, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    milestone.refresh_from_db()
    first.refresh_from_db()
    assert (first.title, milestone.title, milestone.due_date) == (
        DRAFT_TITLE,
        DRAFT_MILESTONE,
        datetime.date(2023, 3, 31),
    )
    assert list(ProgressUpdate.objects.filter(milestone=milestone).values_list("value", flat=True)) == [7]
    assert not Objective.objects.filter(is_draft=True).exists()
    assert not Milestone.objects.filter(objective__is_draft=True).exists()


def test_the_approval_brings_the_draft_to_the_unit(api, redraft, alice, dino, olga):
    roadmap = redraft["roadmap"]
    services.roadmap_propose(actor=olga, roadmap=roadmap)
    services.roadmap_approve(actor=dino, roadmap=Roadmap.objects.get(pk=roadmap.pk))
    api.force_authenticate(alice)
    listed = api.get("/api/v1/objectives/?year=2023&state=all").json()["results"]
    by_id = {o["id"]: o for o in listed}
    assert by_id[redraft["first"].pk]["title"] == DRAFT_TITLE
    assert by_id[redraft["dropped"].pk]["state"] == "dropped"
    assert redraft["moved"].pk not in by_id  # now unit B's
    assert NEW_DRAFT_OBJECTIVE in {o["title"] for o in listed}


def test_milestone_reminders_name_the_approved_milestone_during_the_draft(redraft):
    from roadmap import selectors

    items = selectors.milestones_due(datetime.date(2023, 6, 20), within_days=30) + selectors.milestones_overdue(
        datetime.date(2023, 12, 31)
    )
    assert items and all(not item.objective.is_draft for item in items)
    assert DRAFT_MILESTONE not in {item.milestone.title for item in items}
    assert DRAFT_TITLE not in {item.objective.title for item in items}
