"""Every content write through the API names the version it read (issue 10, point 5): without it, 428;
with a stale one, 409 (report version) or 412 (ETag). Nothing is silently overwritten."""

from directorates.models import Deliverable
from reviews.models import Report
from roadmap.models import Objective, Priority
from tests.factories import DeliverableFactory
from tests.helpers import if_match


def as_(api, user):
    api.force_authenticate(user)
    return api


def _refused_without_version(response):
    assert response.status_code == 428, response.content[:300]
    body = response.json()
    assert set(body) == {"detail", "errors"} and "If-Match" in body["detail"]


def test_a_report_patch_without_version_is_refused_and_changes_nothing(api, report_a, bob):
    url = f"/api/v1/reports/{report_a.pk}/"
    _refused_without_version(as_(api, bob).patch(url, {"summary": "écrasé"}, format="json"))
    assert Report.objects.get(pk=report_a.pk).summary == ""


def test_a_report_patch_with_the_etag_of_its_get_works_once(api, report_a, bob, alice):
    url = f"/api/v1/reports/{report_a.pk}/"
    read_by_bob = if_match(as_(api, bob), url)
    assert read_by_bob["HTTP_IF_MATCH"] == f'"{report_a.version}"'
    response = api.patch(url, {"summary": "de Bob"}, format="json", **read_by_bob)
    assert response.status_code == 200 and response["ETag"] == f'"{report_a.version + 1}"'
    # Alice read the same version as Bob: her change is refused, Bob's kept.
    assert as_(api, alice).patch(url, {"summary": "d'Alice"}, format="json", **read_by_bob).status_code == 409
    assert Report.objects.get(pk=report_a.pk).summary == "de Bob"
    assert api.patch(url, {"summary": "x"}, format="json", HTTP_IF_MATCH='"abc"').status_code == 412


def test_someone_who_may_not_write_still_gets_403_not_428(api, report_a, charlie, rita):
    url = f"/api/v1/reports/{report_a.pk}/"
    assert as_(api, rita).patch(url, {"summary": "x"}, format="json").status_code == 403


def test_objective_priority_and_deliverable_patches_need_if_match(api, draft, olga, dino, unit_a):
    objective = Objective.objects.filter(roadmap=draft).first()
    priority = Priority.objects.first()
    deliverable = DeliverableFactory(directorate=unit_a, year=2024)
    for user, url, body, reread in [
        (
            olga,
            f"/api/v1/objectives/{objective.pk}/",
            {"title": "Nouveau titre"},
            lambda: Objective.objects.get(pk=objective.pk).title,
        ),
        (
            dino,
            f"/api/v1/priorities/{priority.pk}/",
            {"title_fr": "Nouveau titre"},
            lambda: Priority.objects.get(pk=priority.pk).title_fr,
        ),
        (
            olga,
            f"/api/v1/deliverables/{deliverable.pk}/",
            {"title": "Nouveau titre"},
            lambda: Deliverable.objects.get(pk=deliverable.pk).title,
        ),
    ]:
        as_(api, user)
        before = reread()
        _refused_without_version(api.patch(url, body, format="json"))
        stale = if_match(api, url)
        other = {"title": "Changé entre-temps"} if "title" in body else {"title_fr": "Changé entre-temps"}
        assert api.patch(url, other, format="json", **stale).status_code == 200
        assert reread() == "Changé entre-temps" != before
        assert api.patch(url, body, format="json", **stale).status_code == 412, url
        response = api.patch(url, body, format="json", **if_match(api, url))
        assert response.status_code == 200, (url, response.content[:300])
        assert reread() == "Nouveau titre"
        assert response["ETag"] == api.get(url)["ETag"]


def test_the_web_report_form_sends_its_version(client, report_a, bob):
    client.force_login(bob)
    page = client.get(f"/reports/{report_a.pk}/edit/").content.decode()
    assert 'name="version"' in page and f'value="{report_a.version}"' in page
