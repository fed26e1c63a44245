"""Deadline extensions: the DG's office gives one unit a later date, with a reason; the report is
not late before it, and the detail, dashboard and history follow it."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from reviews import services
from reviews.models import DeadlineExtension, Report

pytestmark = pytest.mark.django_db

NEW_DATE = datetime.date(2022, 12, 16)


def extend(report, actor, until=NEW_DATE, reason="Nouveau chef d'unité en novembre."):
    return services.report_extend_deadline(actor=actor, report=report, until=until, reason=reason)


def test_the_office_extends_a_deadline_and_the_report_is_not_late_before_it(report_a, olga, frozen):
    extension = extend(report_a, olga)

    report = Report.objects.get(pk=report_a.pk)
    assert report.deadline == NEW_DATE
    assert extension.previous_deadline == datetime.date(2022, 12, 9)
    assert extension.granted_by == olga
    assert not report.is_late(today=datetime.date(2022, 12, 12))  # past the cycle's date, before its own
    assert report.is_late(today=datetime.date(2022, 12, 17))


def test_a_report_submitted_before_its_extended_date_is_not_late(filled_report, olga, alice):
    with time_machine.travel("2022-12-01 10:00 +01:00", tick=False):
        extend(filled_report, olga)
    with time_machine.travel("2022-12-14 10:00 +01:00", tick=False):
        report = services.report_submit(actor=alice, report=Report.objects.get(pk=filled_report.pk))
    assert report.submitted_late is False
    assert report.is_late() is False


def test_a_report_submitted_after_its_extended_date_is_late(filled_report, olga, alice):
    with time_machine.travel("2022-12-01 10:00 +01:00", tick=False):
        extend(filled_report, olga)
    with time_machine.travel("2022-12-18 10:00 +01:00", tick=False):
        report = services.report_submit(actor=alice, report=Report.objects.get(pk=filled_report.pk))
    assert report.submitted_late is True


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dino_if_not_reviewer"])
def test_only_the_office_may_extend(request, report_a, frozen, who):
    actor = request.getfixturevalue("dino" if who == "dino_if_not_reviewer" else who)
    with pytest.raises(NotAllowed):
        extend(report_a, actor)
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize(
    "until, field",
    [
        (datetime.date(2022, 12, 9), "until"),  # not later than the current deadline
        (datetime.date(2022, 12, 23), "until"),  # after the meeting
        (datetime.date(2022, 11, 1), "until"),  # before the current deadline
    ],
)
def test_a_new_date_that_does_not_fit_is_refused_with_the_field_named(report_a, olga, frozen, until, field):
    with pytest.raises(ValidationFailed) as error:
        extend(report_a, olga, until=until)
    assert list(error.value.errors) == [field]
    assert Report.objects.get(pk=report_a.pk).extended_until is None


def test_a_reason_is_required(report_a, olga, frozen):
    with pytest.raises(ValidationFailed) as error:
        extend(report_a, olga, reason="  ")
    assert "reason" in error.value.errors


def test_a_second_extension_must_go_beyond_the_first(report_a, olga, frozen):
    extend(report_a, olga)
    with pytest.raises(ValidationFailed):
        extend(Report.objects.get(pk=report_a.pk), olga, until=datetime.date(2022, 12, 14))
    extend(Report.objects.get(pk=report_a.pk), olga, until=datetime.date(2022, 12, 20))
    assert list(DeadlineExtension.objects.values_list("previous_deadline", "until")) == [
        (datetime.date(2022, 12, 9), NEW_DATE),
        (NEW_DATE, datetime.date(2022, 12, 20)),
    ]


def test_a_submitted_report_has_no_deadline_left_to_extend(submitted_report, olga):
    with pytest.raises(InvalidTransition):
        extend(submitted_report, olga)


def test_the_extension_is_in_the_report_history(report_a, olga, frozen, client):
    extend(report_a, olga)
    row = Report.history.filter(id=report_a.pk).order_by("-history_id").first()
    assert row.extended_until == NEW_DATE
    assert row.history_user == olga
    assert row.history_change_reason == "Nouveau chef d'unité en novembre."

    client.force_login(olga)
    page = client.get(reverse("reviews:report_history", args=[report_a.pk]))
    assert page.status_code == 200
    assert "16" in page.content.decode() and "Nouveau chef d" in page.content.decode()


# ---------------------------------------------------------------- API


def test_api_extension_shows_the_new_deadline_in_the_detail(api, report_a, olga, frozen):
    api.force_authenticate(olga)
    response = api.post(
        f"/api/v1/reports/{report_a.pk}/extension/",
        {"until": "2022-12-16", "reason": "Mutation du chef."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["deadline"] == "2022-12-16"
    assert body["late"] is False
    assert body["extensions"][0]["previous_deadline"] == "2022-12-09"
    assert body["extensions"][0]["granted_by"] == "olga"

    with time_machine.travel("2022-12-12 10:00 +01:00", tick=False):
        detail = api.get(f"/api/v1/reports/{report_a.pk}/").json()
    assert detail["deadline"] == "2022-12-16" and detail["late"] is False


def test_api_extension_by_the_unit_is_refused(api, report_a, alice, frozen):
    api.force_authenticate(alice)
    response = api.post(
        f"/api/v1/reports/{report_a.pk}/extension/", {"until": "2022-12-16", "reason": "Plus de temps."}, format="json"
    )
    assert response.status_code == 403
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"until": "demain", "reason": "x"}, "until"),
        ({"until": "2022-12-16"}, "reason"),
        ({"until": "2022-12-23", "reason": "Après la réunion"}, "until"),
        ({"until": ["2022-12-16"], "reason": "x"}, "until"),
    ],
)
def test_api_extension_with_bad_input_is_a_400_naming_the_field(api, report_a, olga, frozen, body, field):
    api.force_authenticate(olga)
    response = api.post(f"/api/v1/reports/{report_a.pk}/extension/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_api_extension_of_a_submitted_report_is_a_conflict(api, submitted_report, olga):
    api.force_authenticate(olga)
    response = api.post(
        f"/api/v1/reports/{submitted_report.pk}/extension/",
        {"until": "2022-12-16", "reason": "Trop tard."},
        format="json",
    )
    assert response.status_code == 409


# ---------------------------------------------------------------- web


def test_the_office_extends_from_the_report_page(client, report_a, olga, frozen):
    client.force_login(olga)
    page = client.get(reverse("reviews:report_detail", args=[report_a.pk]))
    assert 'id="extension-form"' in page.content.decode()

    response = client.post(
        reverse("reviews:report_extend", args=[report_a.pk]),
        {"until": "2022-12-16", "reason": "Mutation du chef."},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="extension"' in html and "Mutation du chef." in html
    assert Report.objects.get(pk=report_a.pk).extended_until == NEW_DATE


def test_a_refused_extension_keeps_what_was_typed_and_says_why(client, report_a, olga, frozen):
    client.force_login(olga)
    response = client.post(
        reverse("reviews:report_extend", args=[report_a.pk]), {"until": "2022-12-30", "reason": "Texte gardé"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Texte gardé" in html
    assert 'value="2022-12-30"' in html
    assert "invalid-feedback" in html
    assert Report.objects.get(pk=report_a.pk).extended_until is None


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_unit_people_see_no_extension_form_and_cannot_post_it(client, request, report_a, frozen, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("reviews:report_detail", args=[report_a.pk]))
    assert 'id="extension-form"' not in page.content.decode()
    response = client.post(reverse("reviews:report_extend", args=[report_a.pk]), {"until": "2022-12-16", "reason": "x"})
    assert response.status_code in (403, 404)
    assert not DeadlineExtension.objects.exists()


def test_the_dashboard_counts_extensions_and_follows_the_units_own_date(client, report_a, olga, unit_b, frozen):
    extend(report_a, olga)
    with time_machine.travel("2022-12-12 10:00 +01:00", tick=False):
        client.force_login(olga)
        page = client.get(reverse("reviews:dashboard", args=[2022]))
    rows = {row["unit"].code: row for row in page.context["rows"]}
    assert rows["SP-A"]["extended"] and not rows["SP-A"]["late"]
    assert rows["WS-B"]["late"]  # no report, no extension
    assert page.context["totals"]["extended"] == 1
    assert 'class="badge bg-info text-dark extended-flag"' in page.content.decode()


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_extension_reads_in_every_language(client, report_a, olga, frozen, language):
    extend(report_a, olga)
    client.force_login(olga)
    client.cookies["django_language"] = language
    html = client.get(reverse("reviews:report_detail", args=[report_a.pk]), HTTP_ACCEPT_LANGUAGE=language)
    text = html.content.decode()
    expected = {"fr": "Délai prolongé", "ar": "تمديد", "en": "Deadline extended"}[language]
    assert expected in text
