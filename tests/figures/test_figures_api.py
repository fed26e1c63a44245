"""/api/v1/figures/, /api/v1/indicators/ and /api/v1/bilan/{year}/: scoping, errors, states, query counts."""

import pytest

from figures import services
from figures.models import Figure
from tests.factories import DirectorateFactory, MembershipFactory, UserFactory


@pytest.fixture
def figures(dgsn, region, unit_a, unit_b, catalogue, root):
    services.figure_set_many(
        actor=root,
        rows=[
            {"directorate": unit, "indicator": "cases_handled", "year": year, "value": value}
            for unit, year, value in ((unit_a, 2022, 100), (unit_a, 2021, 90), (unit_b, 2022, 200), (region, 2022, 5))
        ]
        + [{"directorate": dgsn, "indicator": "staff", "year": 2022, "value": 74520}],
    )


def _codes(response):
    return sorted((row["directorate"], row["year"]) for row in response.json()["results"])


def test_editor_reads_only_their_units_figures(api, bob, figures):
    api.force_authenticate(bob)
    assert _codes(api.get("/api/v1/figures/")) == [("SP-A", 2021), ("SP-A", 2022)]


def test_a_unit_cannot_read_another_units_figures(api, charlie, figures):
    api.force_authenticate(charlie)
    assert _codes(api.get("/api/v1/figures/")) == [("WS-B", 2022)]
    assert api.get("/api/v1/figures/?directorate=SP-A").json()["results"] == []


def test_regional_head_reads_the_subtree_and_the_dg_office_everything(api, rita, olga, figures):
    api.force_authenticate(rita)
    assert _codes(api.get("/api/v1/figures/")) == [("SP-A", 2021), ("SP-A", 2022), ("WS-R", 2022)]
    api.force_authenticate(olga)
    assert len(api.get("/api/v1/figures/").json()["results"]) == 5


def test_filters_by_year_unit_and_indicator(api, olga, figures):
    api.force_authenticate(olga)
    response = api.get("/api/v1/figures/?year=2022&directorate=SP-A&indicator=cases_handled")
    [row] = response.json()["results"]
    assert row["value"] == "100" and row["indicator"] == "cases_handled"


def test_post_enters_a_figure(api, bob, unit_a, catalogue):
    api.force_authenticate(bob)
    response = api.post(
        "/api/v1/figures/",
        {"directorate": "SP-A", "indicator": "cases_handled", "year": 2022, "value": 1204, "source_note": "registre"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["value"] == "1204"
    assert Figure.objects.get().history.count() == 1


def test_post_with_a_bad_value_gives_the_error_shape(api, bob, unit_a, catalogue):
    api.force_authenticate(bob)
    response = api.post(
        "/api/v1/figures/",
        {"directorate": "SP-A", "indicator": "cases_handled", "year": 2022, "value": "-4"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"value": ["This figure cannot be negative."]}


def test_post_for_another_unit_is_refused(api, charlie, unit_a, catalogue):
    api.force_authenticate(charlie)
    response = api.post(
        "/api/v1/figures/",
        {"directorate": "SP-A", "indicator": "cases_handled", "year": 2022, "value": 4},
        format="json",
    )
    assert response.status_code == 400 and "directorate" in response.json()["errors"]
    assert not Figure.objects.exists()


def test_bulk_post_reports_errors_by_row(api, bob, unit_a, catalogue):
    api.force_authenticate(bob)
    response = api.post(
        "/api/v1/figures/bulk/",
        {
            "rows": [
                {"directorate": "SP-A", "indicator": "cases_handled", "year": 2022, "value": "3"},
                {"directorate": "SP-A", "indicator": "solved_rate", "year": 2022, "value": "3"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["1"]


def test_figure_list_queries_do_not_grow(api, olga, figures, root, region, django_assert_num_queries):
    api.force_authenticate(olga)
    with django_assert_num_queries(4):  # savepoint, count, page, release (same at both sizes)
        api.get("/api/v1/figures/")
    units = [DirectorateFactory(parent=region) for _ in range(20)]
    services.figure_set_many(
        actor=root, rows=[{"directorate": u, "indicator": "cases_handled", "year": 2022, "value": 1} for u in units]
    )
    with django_assert_num_queries(4):
        assert len(api.get("/api/v1/figures/").json()["results"]) == 25


def test_indicators_are_listed(api, bob, catalogue):
    api.force_authenticate(bob)
    codes = [row["code"] for row in api.get("/api/v1/indicators/").json()["results"]]
    assert "solved_rate" in codes


# ---------------------------------------------------------------- bilan


def test_draft_bilan_is_for_the_dg_office_only(api, bob, olga, figures):
    api.force_authenticate(bob)
    assert api.get("/api/v1/bilan/2022/").status_code in (403, 404)
    api.force_authenticate(olga)
    data = api.get("/api/v1/bilan/2022/").json()
    line = next(row for row in data["indicators"] if row["code"] == "cases_handled")
    assert {k: line[k] for k in ("value", "previous", "change", "change_pct", "unit")} == {
        "value": "305",
        "previous": "90",
        "change": "215",
        "change_pct": line["change_pct"],
        "unit": "count",
    }
    assert line["change_pct"].startswith("238.888888")


def test_bilan_is_approved_by_the_dg_then_published_frozen_and_public(api, bob, olga, dino, root, unit_a, figures):
    bilan = services.bilan_start(actor=olga, year=2022)
    api.force_authenticate(olga)
    assert api.post("/api/v1/bilan/2022/approve/").status_code == 403
    api.force_authenticate(dino)
    assert api.post("/api/v1/bilan/2022/approve/").json()["state"] == "approved"
    assert api.post("/api/v1/bilan/2022/publish/").json()["state"] == "published"
    bilan.refresh_from_db()
    assert bilan.snapshot and bilan.approved_by == dino
    # A later edit of a figure does not change the published bilan.
    services.figure_set(actor=root, directorate=unit_a, indicator="cases_handled", year=2022, value=1000)
    api.force_authenticate(bob)  # published: readable by every authenticated user
    line = next(r for r in api.get("/api/v1/bilan/2022/?lang=ar").json()["indicators"] if r["code"] == "cases_handled")
    assert line["value"] == "305" and line["name"] == "cases_handled ar"
    assert api.post("/api/v1/bilan/2022/reopen/").status_code == 403


def test_published_bilan_cannot_be_reopened_or_edited(olga, dino, figures):
    from core.errors import InvalidTransition

    bilan = services.bilan_start(actor=olga, year=2022)
    bilan = services.bilan_approve(actor=dino, bilan=bilan)
    bilan = services.bilan_publish(actor=olga, bilan=bilan)
    with pytest.raises(InvalidTransition):
        services.bilan_reopen(actor=dino, bilan=bilan)
    with pytest.raises(InvalidTransition):
        services.bilan_update(actor=olga, bilan=bilan, texts={"introduction_fr": "x"})


def test_bilan_api_queries_do_not_grow_with_units(api, olga, figures, root, region, django_assert_num_queries):
    api.force_authenticate(olga)
    # savepoint, bilan, catalogue, rolled-up sums, root figures, approved roadmap objectives, release
    with django_assert_num_queries(7):
        api.get("/api/v1/bilan/2022/")
    units = [DirectorateFactory(parent=region) for _ in range(20)]
    services.figure_set_many(
        actor=root, rows=[{"directorate": u, "indicator": "cases_handled", "year": 2022, "value": 1} for u in units]
    )
    with django_assert_num_queries(7):
        api.get("/api/v1/bilan/2022/")


def test_unauthenticated_callers_get_nothing(api, figures):
    assert api.get("/api/v1/figures/").status_code in (401, 403)
    assert api.get("/api/v1/bilan/2022/").status_code in (401, 403)


def test_member_of_a_sub_unit_does_not_see_the_parent(api, unit_a, region, figures):
    user = MembershipFactory(user=UserFactory(username="sub"), directorate=unit_a, role="head").user
    api.force_authenticate(user)
    assert ("WS-R", 2022) not in _codes(api.get("/api/v1/figures/"))


def test_every_move_of_the_bilan_leaves_an_event_and_a_new_version(olga, dino, figures):
    bilan = services.bilan_start(actor=olga, year=2022)
    first = bilan.version
    bilan = services.bilan_approve(actor=dino, bilan=bilan)
    bilan = services.bilan_reopen(actor=dino, bilan=bilan)
    bilan = services.bilan_approve(actor=dino, bilan=bilan)
    moves = list(bilan.events.values_list("old_state", "new_state", "actor__username"))
    assert moves == [
        ("draft", "approved", dino.username),
        ("approved", "draft", dino.username),
        ("draft", "approved", dino.username),
    ]
    assert bilan.version == first + 3


def test_a_bilan_moved_by_someone_else_meanwhile_is_not_moved_twice(olga, dino, figures):
    from core.errors import InvalidTransition
    from figures.models import Bilan

    bilan = services.bilan_start(actor=olga, year=2022)
    stale = Bilan.objects.get(pk=bilan.pk)
    services.bilan_approve(actor=dino, bilan=bilan)
    with pytest.raises(InvalidTransition):
        services.bilan_approve(actor=dino, bilan=stale)  # it still says "draft"
    assert bilan.events.count() == 1
