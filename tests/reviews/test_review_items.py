"""Item-level review: the DG's office flags items when it returns a report; only they change; the unit answers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from figures.services import figure_set
from reviews import items as report_items
from reviews import services
from reviews.models import ReportState, ReviewItem, ReviewItemComment
from tests.figures.conftest import make_indicator
from tests.helpers import assert_constant_queries, if_match


@pytest.fixture
def parts(report_a, bob):
    """An achievement and a constraint in unit A's report, and a figure of its year."""
    services.report_update(
        actor=bob,
        report=report_a,
        achievements=[{"title": "Brigade créée", "description": "12 agents"}],
        constraints=[{"category": "budget", "description": "Crédits tardifs"}],
    )
    indicator = make_indicator("cases_handled")
    figure = figure_set(
        actor=bob,
        directorate=report_a.directorate,
        indicator=indicator,
        year=2022,
        value=100,
        justification="Première année",
    )
    other = figure_set(
        actor=bob,
        directorate=report_a.directorate,
        indicator=make_indicator("arrests"),
        year=2022,
        value=7,
        justification="Première année",
    )
    return {
        "achievement": report_a.achievements.get(),
        "constraint": report_a.constraints.get(),
        "figure": figure,
        "other_figure": other,
    }


@pytest.fixture
def submitted(parts, report_a, bob, alice, frozen):
    from tests.conftest import fill

    return services.report_submit(actor=alice, report=fill(report_a, bob))


@pytest.fixture
def flagged(submitted, parts, olga):
    deliverable = submitted.outcomes.order_by("deliverable_id").first().deliverable_id
    services.report_return(
        actor=olga,
        report=submitted,
        comment="Deux points à revoir",
        items=[
            {"kind": "outcome", "id": deliverable, "comment": "Preuve manquante"},
            {"kind": "achievement", "id": parts["achievement"].pk, "comment": "Préciser l'effectif"},
        ],
    )
    return submitted


def _first_deliverable(report):
    return report.outcomes.order_by("deliverable_id").first().deliverable_id


def _last_deliverable(report):
    return report.outcomes.order_by("deliverable_id").last().deliverable_id


# ---------------------------------------------------------------- services


def test_returning_with_items_flags_them_with_the_item_as_it_was(flagged, parts, olga):
    items = list(flagged.review_items.order_by("id"))
    assert [(i.kind, i.comment, i.resolved) for i in items] == [
        ("outcome", "Preuve manquante", False),
        ("achievement", "Préciser l'effectif", False),
    ]
    assert items[0].item_id == _first_deliverable(flagged)
    assert items[0].before["status"] == "done"
    assert items[1].before == {"title": "Brigade créée", "description": "12 agents"}
    assert items[1].label == "Brigade créée" and items[1].flagged_by == olga
    assert items[0].return_event == flagged.events.get(new_state="returned")
    assert items[0].history.count() == 1  # a history row, with its author
    assert items[0].history.get().history_user == olga


@pytest.mark.parametrize(
    "item, field",
    [
        ({"kind": "budget", "id": 1, "comment": "x"}, "kind"),
        ({"kind": "achievement", "id": 999999, "comment": "x"}, "id"),
        ({"kind": "figure", "id": 999999, "comment": "x"}, "id"),
        ({"kind": "outcome", "id": 1, "comment": " "}, "comment"),
    ],
)
def test_a_bad_flag_refuses_the_return_and_names_the_field(submitted, olga, item, field):
    with pytest.raises(ValidationFailed) as error:
        services.report_return(actor=olga, report=submitted, comment="À revoir", items=[item])
    assert field in error.value.errors["items"]["0"]
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    assert not ReviewItem.objects.exists()


def test_another_units_item_cannot_be_flagged(submitted, olga, cycle, unit_b, charlie):
    from tests.factories import DeliverableFactory

    other = DeliverableFactory(directorate=unit_b)
    services.report_start(actor=charlie, cycle=cycle, directorate=unit_b)
    with pytest.raises(ValidationFailed) as error:
        services.report_return(
            actor=olga, report=submitted, comment="x", items=[{"kind": "outcome", "id": other.pk, "comment": "y"}]
        )
    assert "id" in error.value.errors["items"]["0"]


def test_the_same_item_flagged_twice_is_refused(submitted, parts, olga):
    item = {"kind": "constraint", "id": parts["constraint"].pk, "comment": "y"}
    with pytest.raises(ValidationFailed) as error:
        services.report_return(actor=olga, report=submitted, comment="x", items=[item, item])
    assert "1" in error.value.errors["items"]


def test_only_flagged_items_and_the_summary_change_while_returned_with_flags(flagged, parts, bob):
    first, last = _first_deliverable(flagged), _last_deliverable(flagged)
    services.report_update(
        actor=bob,
        report=flagged,
        summary="Nouveau résumé",
        outcomes={first: {"status": "done", "evidence": "PV n° 12"}},
        achievements=[{"id": parts["achievement"].pk, "title": "Brigade créée", "description": "14 agents"}],
        constraints=[{"id": parts["constraint"].pk, "category": "budget", "description": "Crédits tardifs"}],
    )
    flagged.refresh_from_db()
    assert flagged.summary == "Nouveau résumé"
    with pytest.raises(InvalidTransition) as error:
        services.report_update(actor=bob, report=flagged, outcomes={last: {"status": "partial", "percent_done": 50}})
    assert str(last) in error.value.errors["outcomes"]
    with pytest.raises(InvalidTransition):
        services.report_update(
            actor=bob,
            report=flagged,
            constraints=[{"id": parts["constraint"].pk, "category": "budget", "description": "Autre"}],
        )
    with pytest.raises(InvalidTransition):  # no new item either
        services.report_update(
            actor=bob,
            report=flagged,
            achievements=[
                {"id": parts["achievement"].pk, "title": "Brigade créée", "description": "14 agents"},
                {"title": "Neuf"},
            ],
        )
    with pytest.raises(InvalidTransition):  # nor an unflagged figure
        figure_set(actor=bob, directorate=flagged.directorate, indicator="arrests", year=2022, value=8)
    assert flagged.outcomes.get(deliverable_id=last).status == "done"
    assert flagged.constraints.get().description == "Crédits tardifs"


def test_a_flagged_figure_may_change_and_no_other(submitted, parts, olga, bob):
    services.report_return(
        actor=olga,
        report=submitted,
        comment="x",
        items=[{"kind": "figure", "id": parts["figure"].pk, "comment": "Vérifier"}],
    )
    assert (
        figure_set(actor=bob, directorate=submitted.directorate, indicator="cases_handled", year=2022, value=120).value
        == 120
    )
    with pytest.raises(InvalidTransition):
        figure_set(actor=bob, directorate=submitted.directorate, indicator="arrests", year=2022, value=8)


def test_evidence_goes_only_to_a_flagged_outcome(flagged, bob):
    pdf = SimpleUploadedFile("p.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(InvalidTransition):
        services.attachment_add(
            actor=bob, outcome=flagged.outcomes.get(deliverable_id=_last_deliverable(flagged)), uploaded_file=pdf
        )
    assert services.attachment_add(
        actor=bob, outcome=flagged.outcomes.get(deliverable_id=_first_deliverable(flagged)), uploaded_file=pdf
    ).pk


def test_returned_without_flags_everything_stays_editable(submitted, parts, olga, bob):
    services.report_return(actor=olga, report=submitted, comment="À revoir")
    services.report_update(
        actor=bob,
        report=submitted,
        outcomes={_last_deliverable(submitted): {"status": "dropped", "comment": "x"}},
        achievements=[{"title": "Neuf"}],
    )
    assert submitted.achievements.get().title == "Neuf"


def test_resubmission_resolves_the_flags_and_keeps_what_changed(flagged, parts, bob, alice):
    first = _first_deliverable(flagged)
    services.report_update(
        actor=bob,
        report=flagged,
        outcomes={first: {"status": "partial", "percent_done": 60}},
        achievements=[{"id": parts["achievement"].pk, "title": "Brigade créée", "description": "14 agents"}],
    )
    services.report_submit(actor=alice, report=flagged)
    outcome_flag, achievement_flag = flagged.review_items.order_by("id")
    assert outcome_flag.resolved and outcome_flag.resolved_by == alice
    assert outcome_flag.after["status"] == "partial" and outcome_flag.before["status"] == "done"
    with translation.override("en"):
        rows = {label: (old, new, changed) for label, old, new, changed in report_items.compare(achievement_flag)}
    assert rows["Description"] == ("12 agents", "14 agents", True)
    assert rows["Achievement"] == ("Brigade créée", "Brigade créée", False)
    # everything is editable again once the office returns it without flags
    assert services.open_flags(flagged) == {}


def test_a_flagged_item_removed_by_the_unit_shows_as_removed(flagged, parts, bob, alice):
    services.report_update(actor=bob, report=flagged, achievements=[])
    services.report_submit(actor=alice, report=flagged)
    flag = flagged.review_items.get(kind="achievement")
    assert flag.after == {"_removed": True}
    assert report_items.compare(flag)[0][3] is True


def test_the_unit_answers_a_flag_and_the_office_answers_back(flagged, bob, olga, alice):
    flag = flagged.review_items.first()
    services.review_item_comment(actor=bob, item=flag, text="La preuve est jointe.")
    services.review_item_comment(actor=olga, item=flag, text="Merci, c'est noté.")
    assert [(c.author, c.text) for c in flag.comments.all()] == [
        (bob, "La preuve est jointe."),
        (olga, "Merci, c'est noté."),
    ]
    assert all(c.created_at for c in flag.comments.all())
    services.report_submit(actor=alice, report=flagged)
    services.review_item_comment(actor=olga, item=flag, text="Vu.")  # the office may still answer back


def test_others_cannot_write_in_a_thread(flagged, charlie, rita, olga, alice):
    flag = flagged.review_items.first()
    for outsider in (charlie, rita):
        with pytest.raises(NotAllowed):
            services.review_item_comment(actor=outsider, item=flag, text="x")
    with pytest.raises(ValidationFailed):
        services.review_item_comment(actor=alice, item=flag, text="  ")
    services.report_submit(actor=alice, report=flagged)
    services.report_accept(actor=olga, report=flagged)
    with pytest.raises(InvalidTransition):
        services.review_item_comment(actor=alice, item=flag, text="trop tard")
    assert not ReviewItemComment.objects.exists()


# ---------------------------------------------------------------- API


def test_api_return_with_items_then_the_detail_lists_them(api, submitted, parts, olga, bob):
    api.force_authenticate(olga)
    url = f"/api/v1/reports/{submitted.pk}/"
    response = api.post(
        url + "return/",
        {
            "comment": "À revoir",
            "items": [
                {"kind": "outcome", "id": _first_deliverable(submitted), "comment": "Preuve"},
                {"kind": "figure", "id": parts["figure"].pk, "comment": "Chiffre"},
                {"kind": "constraint", "id": parts["constraint"].pk, "comment": "Préciser"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    api.force_authenticate(bob)
    items = api.get(url).json()["review_items"]
    assert [(i["kind"], i["id"], i["comment"], i["resolved"]) for i in items] == [
        ("outcome", _first_deliverable(submitted), "Preuve", False),
        ("figure", parts["figure"].pk, "Chiffre", False),
        ("constraint", parts["constraint"].pk, "Préciser", False),
    ]


@pytest.mark.parametrize(
    "item, field",
    [
        ({"kind": "budget", "id": 1, "comment": "x"}, "kind"),
        ({"kind": "achievement", "id": 999999, "comment": "x"}, "id"),
        ({"kind": "achievement", "id": "abc", "comment": "x"}, "id"),
        ({"kind": "achievement", "id": 1}, "comment"),
    ],
)
def test_api_return_with_a_bad_item_is_400_with_field_errors(api, submitted, olga, item, field):
    api.force_authenticate(olga)
    response = api.post(f"/api/v1/reports/{submitted.pk}/return/", {"comment": "x", "items": [item]}, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]["items"]
    first = errors[0] if isinstance(errors, list) else errors["0"]
    assert field in first
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED


def test_api_return_with_only_a_comment_still_works(api, submitted, olga):
    api.force_authenticate(olga)
    response = api.post(f"/api/v1/reports/{submitted.pk}/return/", {"comment": "À revoir"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "returned" and response.json()["review_items"] == []


def test_api_patch_of_an_unflagged_item_is_409_and_a_flagged_one_is_saved(api, flagged, parts, bob):
    api.force_authenticate(bob)
    url = f"/api/v1/reports/{flagged.pk}/"
    response = api.patch(
        url,
        {"outcomes": [{"deliverable": _last_deliverable(flagged), "status": "not_done"}]},
        format="json",
        **if_match(api, url),
    )
    assert response.status_code == 409
    assert "flagged" in response.json()["detail"] or "signal" in response.json()["detail"]
    assert str(_last_deliverable(flagged)) in response.json()["errors"]["outcomes"]
    response = api.patch(
        url,
        {
            "summary": "S",
            "achievements": [
                {"id": parts["achievement"].pk, "title": "Brigade créée", "description": "14 agents"},
            ],
            "constraints": [{"id": parts["constraint"].pk, "category": "budget", "description": "Crédits tardifs"}],
        },
        format="json",
        **if_match(api, url),
    )
    assert response.status_code == 200, response.content
    assert response.json()["achievements"][0]["description"] == "14 agents"


def test_api_figure_write_to_an_unflagged_figure_is_409(api, flagged, bob):
    from figures.models import Figure
    from tests.helpers import if_match

    api.force_authenticate(bob)
    figure = Figure.objects.get(directorate=flagged.directorate, indicator__code="arrests", year=2022)
    response = api.post(
        "/api/v1/figures/",
        {"directorate": flagged.directorate.code, "indicator": "arrests", "year": 2022, "value": 9},
        format="json",
        **if_match(api, f"/api/v1/figures/{figure.pk}/"),
    )  # read first: only the flag refuses
    assert response.status_code == 409, response.content


def test_api_thread_answer_and_scope(api, flagged, bob, charlie):
    flag = flagged.review_items.first()
    url = f"/api/v1/reports/{flagged.pk}/review-items/{flag.pk}/comments/"
    api.force_authenticate(charlie)
    assert api.post(url, {"text": "x"}, format="json").status_code == 404
    api.force_authenticate(bob)
    assert api.post(url, {"text": ""}, format="json").status_code == 400
    response = api.post(url, {"text": "Preuve jointe"}, format="json")
    assert response.status_code == 201
    assert response.json()["author"] == "bob"
    detail = api.get(f"/api/v1/reports/{flagged.pk}/").json()
    assert detail["review_items"][0]["comments"][0]["text"] == "Preuve jointe"
    assert (
        api.post(
            f"/api/v1/reports/{flagged.pk}/review-items/999999/comments/", {"text": "x"}, format="json"
        ).status_code
        == 404
    )


def test_api_detail_costs_the_same_queries_with_more_flags_and_comments(
    api, flagged, parts, olga, bob, django_assert_num_queries
):
    api.force_authenticate(olga)
    url = f"/api/v1/reports/{flagged.pk}/"
    event = flagged.events.get(new_state="returned")

    def grow():
        start = ReviewItem.objects.count()
        for n in range(5):
            item = ReviewItem.objects.create(
                report=flagged,
                return_event=event,
                kind="figure",
                item_id=1000 + start + n,
                label="x",
                comment="y",
                flagged_by=olga,
            )
            ReviewItemComment.objects.create(item=item, author=bob, text="z")

    assert_constant_queries(django_assert_num_queries, lambda: api.get(url), grow)
    assert_constant_queries(django_assert_num_queries, lambda: api.get("/api/v1/reports/"), grow)


def test_the_demo_has_a_report_returned_with_flagged_items_and_an_answer(db, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", "--quiet-logins", stdout=StringIO())
    flags = ReviewItem.objects.filter(report__directorate__code="FM6", resolved_at__isnull=True)
    assert flags.count() == 2 and flags.first().report.state == ReportState.RETURNED
    assert {flag.kind for flag in flags} <= {"outcome", "constraint", "achievement"}
    assert ReviewItemComment.objects.filter(item__in=flags).count() == 1


def test_a_later_return_without_flags_shows_no_old_flags(client, flagged, alice, olga, bob):
    services.report_submit(actor=alice, report=flagged)
    services.report_return(actor=olga, report=flagged, comment="Encore une fois")
    services.report_update(actor=bob, report=flagged, outcomes={_last_deliverable(flagged): {"status": "not_done"}})
    services.report_submit(actor=alice, report=flagged)
    client.force_login(olga)
    from django.urls import reverse

    html = client.get(reverse("reviews:report_detail", args=[flagged.pk])).content.decode()
    assert 'id="changes"' not in html and 'id="flags"' not in html


def test_the_admin_shows_a_reports_flags_read_only(client, flagged, root):
    client.force_login(root)
    page = client.get(reverse("admin:reviews_report_change", args=[flagged.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Preuve manquante" in html and "Préciser l" in html
    assert 'name="review_items-0-comment"' not in html  # shown, not editable
