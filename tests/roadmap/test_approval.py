"""The DG's office approves the roadmap (issue #15): rights per person, four eyes, who did what."""

import pytest
from django.contrib.messages import get_messages

from core.errors import NotAllowed
from directorates import permissions as unit_permissions
from roadmap import permissions, services
from roadmap.models import Roadmap, RoadmapState, RoadmapVersion
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are read in English here; the French and Arabic wording is in the catalogues."""
    settings.LANGUAGE_CODE = "en"


def fresh(roadmap):
    return Roadmap.objects.get(pk=roadmap.pk)


def as_(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def office_approver(opal):
    """opal: prepares and approves the roadmap, as dg.office does in the demo."""
    return opal


# ---------------------------------------------------------------- one person walks the whole roadmap


def test_an_office_member_with_both_rights_compiles_proposes_and_approves(
    accepted_report, priorities, cycle, office_approver
):
    roadmap, created = services.roadmap_compile(actor=office_approver, cycle=cycle)
    assert created > 0
    services.roadmap_propose(actor=office_approver, roadmap=roadmap, comment="Projet")
    roadmap = services.roadmap_approve(actor=office_approver, roadmap=fresh(roadmap), comment="Vu")
    assert (roadmap.state, roadmap.approved_version) == (RoadmapState.APPROVED, 1)
    version = RoadmapVersion.objects.get(roadmap=roadmap)
    assert (version.proposed_by, version.approved_by) == (office_approver, office_approver)
    assert version.proposed_at <= version.approved_at


def test_the_dg_keeps_the_approval_right(draft, olga, dino):
    services.roadmap_propose(actor=olga, roadmap=draft)
    roadmap = services.roadmap_approve(actor=dino, roadmap=fresh(draft))
    version = roadmap.versions.get()
    assert (version.proposed_by, version.approved_by) == (olga, dino)


def test_a_right_granted_directly_to_a_person_counts(draft, olga, oscar):
    services.roadmap_propose(actor=olga, roadmap=draft)
    with pytest.raises(NotAllowed):
        services.roadmap_approve(actor=oscar, roadmap=fresh(draft))
    unit_permissions.grant(oscar, permissions.APPROVE_ROADMAP)
    assert services.roadmap_approve(actor=oscar, roadmap=fresh(draft)).state == RoadmapState.APPROVED


def test_the_approval_right_is_lost_with_the_group(draft, olga, opal):
    services.roadmap_propose(actor=olga, roadmap=draft)
    opal.groups.remove(opal.groups.get(name=permissions.GROUPS[permissions.APPROVE_ROADMAP]))
    opal = type(opal).objects.get(pk=opal.pk)  # a new request: rights are read again
    with pytest.raises(NotAllowed):
        services.roadmap_approve(actor=opal, roadmap=fresh(draft))


def test_an_inactive_holder_cannot_approve(draft, olga, opal):
    services.roadmap_propose(actor=olga, roadmap=draft)
    opal.is_active = False
    with pytest.raises(NotAllowed):
        services.roadmap_approve(actor=opal, roadmap=fresh(draft))


# ---------------------------------------------------------------- four eyes


def test_four_eyes_off_by_default_lets_the_proposer_approve(settings, draft, opal):
    assert settings.ROADMAP_FOUR_EYES is False
    services.roadmap_propose(actor=opal, roadmap=draft)
    assert services.roadmap_approve(actor=opal, roadmap=fresh(draft)).state == RoadmapState.APPROVED


def test_four_eyes_refuses_the_proposer_and_says_why(settings, draft, opal):
    settings.ROADMAP_FOUR_EYES = True
    services.roadmap_propose(actor=opal, roadmap=draft)
    with pytest.raises(NotAllowed) as refused:
        services.roadmap_approve(actor=opal, roadmap=fresh(draft))
    assert "Four-eyes rule" in refused.value.message
    assert fresh(draft).state == RoadmapState.PROPOSED
    assert permissions.available_actions(opal, fresh(draft)) == ["return"]


def test_four_eyes_lets_another_holder_approve(settings, draft, opal, dino):
    settings.ROADMAP_FOUR_EYES = True
    services.roadmap_propose(actor=opal, roadmap=draft)
    assert "approve" in permissions.available_actions(dino, fresh(draft))
    roadmap = services.roadmap_approve(actor=dino, roadmap=fresh(draft))
    assert roadmap.versions.get().approved_by == dino


def test_four_eyes_looks_at_the_latest_proposal(settings, draft, olga, opal, dino):
    """Sent back and proposed again by someone else: the first proposer may now approve."""
    settings.ROADMAP_FOUR_EYES = True
    services.roadmap_propose(actor=opal, roadmap=draft)
    services.roadmap_return(actor=dino, roadmap=fresh(draft), comment="Revoir les cibles")
    services.roadmap_propose(actor=olga, roadmap=fresh(draft))
    assert services.roadmap_approve(actor=opal, roadmap=fresh(draft)).state == RoadmapState.APPROVED
    assert fresh(draft).versions.get().proposed_by == olga


def test_four_eyes_refusal_on_the_web_page(settings, client, draft, opal):
    settings.ROADMAP_FOUR_EYES = True
    services.roadmap_propose(actor=opal, roadmap=draft)
    client.force_login(opal)
    page = client.get("/roadmap/2023/").content.decode()
    assert 'id="approval-refused"' in page and "Four-eyes rule" in page
    assert "roadmap/2023/approve/" not in page
    response = client.post("/roadmap/2023/approve/", follow=True)
    assert (
        any("Four-eyes rule" in str(m) for m in get_messages(response.wsgi_request))
        or "Four-eyes rule" in response.content.decode()
    )
    assert fresh(draft).state == RoadmapState.PROPOSED


def test_four_eyes_refusal_through_the_api(settings, api, draft, opal, dino):
    settings.ROADMAP_FOUR_EYES = True
    assert as_(api, opal).post("/api/v1/roadmaps/2023/propose/").status_code == 200
    response = as_(api, opal).post("/api/v1/roadmaps/2023/approve/")
    assert response.status_code == 403
    assert "Four-eyes rule" in response.json()["detail"]
    assert as_(api, dino).post("/api/v1/roadmaps/2023/approve/").json()["state"] == "approved"


def test_the_api_lets_an_office_approver_approve(api, draft, olga, opal):
    as_(api, olga).post("/api/v1/roadmaps/2023/propose/")
    body = as_(api, opal).post("/api/v1/roadmaps/2023/approve/", {"comment": "Vu"}, format="json").json()
    assert body["state"] == "approved"
    assert (body["versions"][0]["proposed_by"], body["versions"][0]["approved_by"]) == ("olga", "opal")
    assert body["versions"][0]["proposed_at"]


def test_the_api_refuses_approval_without_the_right(api, draft, olga):
    as_(api, olga).post("/api/v1/roadmaps/2023/propose/")
    response = as_(api, olga).post("/api/v1/roadmaps/2023/approve/")
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "errors"}


# ---------------------------------------------------------------- who did what, on the page


def test_the_page_shows_who_proposed_and_who_approved_each_version(client, draft, olga, dino, opal):
    olga.first_name, olga.last_name = "Olga", "Office"
    olga.save()
    services.roadmap_propose(actor=olga, roadmap=draft)
    client.force_login(opal)
    page = client.get("/roadmap/2023/").content.decode()
    assert "proposed by Olga Office" in page and "awaiting approval" in page
    services.roadmap_return(actor=dino, roadmap=fresh(draft), comment="Préciser les cibles")
    page = client.get("/roadmap/2023/").content.decode()
    assert "sent back by dino" in page and "Préciser les cibles" in page
    services.roadmap_propose(actor=olga, roadmap=fresh(draft))
    services.roadmap_approve(actor=opal, roadmap=fresh(draft))
    services.roadmap_new_version(actor=olga, roadmap=fresh(draft))
    page = client.get("/roadmap/2023/").content.decode()
    assert "proposed by Olga Office" in page and "approved by opal" in page
    assert "draft, not proposed yet" in page  # version 2


def test_the_migration_fills_in_who_proposed_versions_already_approved(approved, olga):
    """Versions approved before proposers were recorded get theirs from the event log (roadmap 0002)."""
    from importlib import import_module

    from django.apps import apps

    RoadmapVersion.objects.update(proposed_by=None, proposed_at=None)
    import_module("roadmap.migrations.0002_rights_per_person").fill_proposers(apps, None)
    version = RoadmapVersion.objects.get()
    assert version.proposed_by == olga
    assert version.proposed_at == approved.events.get(new_state="proposed").created_at


def test_a_person_without_the_right_sees_no_approval_button(client, draft, olga):
    services.roadmap_propose(actor=olga, roadmap=draft)
    client.force_login(olga)
    page = client.get("/roadmap/2023/").content.decode()
    assert "roadmap/2023/approve/" not in page and 'id="approval-refused"' not in page


def test_a_superuser_does_not_approve_without_the_right(draft, olga, root):
    services.roadmap_propose(actor=olga, roadmap=draft)
    with pytest.raises(NotAllowed):
        services.roadmap_approve(actor=root, roadmap=fresh(draft))
    root = UserFactory._meta.model.objects.get(pk=root.pk)
    unit_permissions.grant(root, permissions.APPROVE_ROADMAP)
    assert services.roadmap_approve(actor=root, roadmap=fresh(draft)).state == RoadmapState.APPROVED


def test_the_four_eyes_refusal_is_worded_in_french_by_default(settings, draft, opal):
    settings.LANGUAGE_CODE = "fr"
    settings.ROADMAP_FOUR_EYES = True
    services.roadmap_propose(actor=opal, roadmap=draft)
    from django.utils import translation

    with translation.override("fr"), pytest.raises(NotAllowed) as refused:
        services.roadmap_approve(actor=opal, roadmap=fresh(draft))
    assert refused.value.message.startswith("Règle des quatre yeux")
