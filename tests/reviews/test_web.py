"""The annual report through the web pages: forms, buttons, lost-nothing on errors, and scoping."""

import io

import pytest
from django.urls import reverse

from reviews.models import Attachment, Report, ReportState
from tests.helpers import assert_constant_queries, grow_units

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def edit_payload(report, **overrides):
    outcomes = list(report.outcomes.order_by("deliverable__due_date", "deliverable_id"))
    data = {
        "version": report.version,
        "summary": "Une année dense.",
        "outcomes-TOTAL_FORMS": len(outcomes),
        "outcomes-INITIAL_FORMS": len(outcomes),
        "achievements-TOTAL_FORMS": 1,
        "achievements-INITIAL_FORMS": 0,
        "constraints-TOTAL_FORMS": 1,
        "constraints-INITIAL_FORMS": 0,
    }
    for i, outcome in enumerate(outcomes):
        data[f"outcomes-{i}-deliverable"] = outcome.deliverable_id
        data[f"outcomes-{i}-status"] = "done"
        data[f"outcomes-{i}-comment"] = f"Commentaire {i}"
    data.update(overrides)
    return data


def test_editor_saves_the_draft(client, report_a, bob):
    client.force_login(bob)
    response = client.post(
        reverse("reviews:report_edit", args=[report_a.pk]),
        edit_payload(
            report_a,
            **{
                "achievements-0-title": "Démantèlement d'un réseau",
                "constraints-0-category": "budget",
                "constraints-0-description": "Crédits insuffisants",
                "constraints-0-needs_action": "on",
            },
        ),
    )
    assert response.status_code == 302
    report = Report.objects.get(pk=report_a.pk)
    assert report.summary == "Une année dense."
    assert set(report.outcomes.values_list("status", flat=True)) == {"done"}
    assert report.achievements.get().title == "Démantèlement d'un réseau"
    assert report.constraints.get().needs_action is True


def test_invalid_save_keeps_every_keystroke_and_saves_nothing(client, report_a, bob):
    client.force_login(bob)
    payload = edit_payload(
        report_a, **{"outcomes-0-status": "partial", "outcomes-0-percent_done": "", "summary": "Texte à ne pas perdre"}
    )
    response = client.post(reverse("reviews:report_edit", args=[report_a.pk]), payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Texte à ne pas perdre" in html
    assert "Commentaire 1" in html
    assert "is-invalid" in html
    assert Report.objects.get(pk=report_a.pk).summary == ""


def test_stale_form_is_refused_without_losing_the_text(client, report_a, bob, alice):
    client.force_login(bob)
    payload = edit_payload(report_a, summary="Ma version")
    from reviews import services

    services.report_update(actor=alice, report=report_a, summary="Version d'Alice")
    response = client.post(reverse("reviews:report_edit", args=[report_a.pk]), payload)
    assert response.status_code == 200
    assert "Ma version" in response.content.decode()
    assert Report.objects.get(pk=report_a.pk).summary == "Version d'Alice"


def test_evidence_upload_is_stored_and_downloadable_by_the_unit_only(client, report_a, bob, charlie):
    client.force_login(bob)
    payload = edit_payload(report_a)
    payload["outcomes-0-file"] = io.BytesIO(PDF)
    payload["outcomes-0-file"].name = "pv-reception.pdf"
    assert client.post(reverse("reviews:report_edit", args=[report_a.pk]), payload).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "pv-reception.pdf"
    assert attachment.content_type == "application/pdf"
    response = client.get(reverse("reviews:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(charlie)
    assert client.get(reverse("reviews:attachment_download", args=[attachment.pk])).status_code == 404


def test_a_file_lying_about_its_type_is_refused_and_nothing_saved(client, report_a, bob):
    client.force_login(bob)
    client.cookies["django_language"] = "en"
    payload = edit_payload(report_a, summary="Ne pas enregistrer")
    payload["outcomes-0-file"] = io.BytesIO(b"MZ\x90\x00 this is an executable")
    payload["outcomes-0-file"].name = "rapport.pdf"
    response = client.post(reverse("reviews:report_edit", args=[report_a.pk]), payload)
    assert response.status_code == 200
    assert "does not contain what its name says" in response.content.decode()
    assert Attachment.objects.count() == 0
    assert Report.objects.get(pk=report_a.pk).summary == ""


def test_too_large_a_file_is_refused(client, report_a, bob, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    client.force_login(bob)
    client.cookies["django_language"] = "en"
    payload = edit_payload(report_a)
    payload["outcomes-0-file"] = io.BytesIO(PDF * 10)
    payload["outcomes-0-file"].name = "gros.pdf"
    response = client.post(reverse("reviews:report_edit", args=[report_a.pk]), payload)
    assert "too large" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_head_sees_submit_button_editor_does_not(client, filled_report, alice, bob):
    url = reverse("reviews:report_detail", args=[filled_report.pk])
    client.force_login(alice)
    assert "/submit/" in client.get(url).content.decode()
    client.force_login(bob)
    assert "/submit/" not in client.get(url).content.decode()


def test_editor_posting_submit_gets_an_error_not_a_submission(client, filled_report, bob):
    client.force_login(bob)
    client.cookies["django_language"] = "fr"
    response = client.post(reverse("reviews:report_transition", args=[filled_report.pk, "submit"]), follow=True)
    assert "Seul le chef de l" in response.content.decode()
    assert Report.objects.get(pk=filled_report.pk).state == ReportState.DRAFT


def test_office_returns_with_a_comment_through_the_page(client, submitted_report, olga):
    client.force_login(olga)
    url = reverse("reviews:report_transition", args=[submitted_report.pk, "return"])
    client.post(url, {"comment": "Joindre les procès-verbaux"})
    report = Report.objects.get(pk=submitted_report.pk)
    assert report.state == ReportState.RETURNED
    assert report.events.last().comment == "Joindre les procès-verbaux"


def test_submitted_report_edit_page_redirects_to_read_only_view(client, submitted_report, bob):
    client.force_login(bob)
    response = client.get(reverse("reviews:report_edit", args=[submitted_report.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:report_detail", args=[submitted_report.pk])


@pytest.mark.parametrize("name", ["report_detail", "report_edit", "report_history"])
def test_other_units_report_is_404_by_id_guessing(client, report_a, charlie, name):
    client.force_login(charlie)
    assert client.get(reverse(f"reviews:{name}", args=[report_a.pk])).status_code == 404


def test_region_head_reads_a_sub_unit_report_but_cannot_edit(client, report_a, rita):
    client.force_login(rita)
    assert client.get(reverse("reviews:report_detail", args=[report_a.pk])).status_code == 200
    assert client.get(reverse("reviews:report_edit", args=[report_a.pk])).status_code == 403


def test_unit_people_cannot_see_the_dashboard_or_history(client, report_a, alice):
    client.force_login(alice)
    assert client.get(reverse("reviews:dashboard", args=[2022])).status_code == 403
    assert client.get(reverse("reviews:report_history", args=[report_a.pk])).status_code == 403


def test_history_shows_who_changed_what(client, report_a, bob, olga):
    from reviews import services

    services.report_update(actor=bob, report=report_a, summary="Première version")
    services.report_update(actor=bob, report=Report.objects.get(pk=report_a.pk), summary="Seconde version")
    client.force_login(olga)
    html = client.get(reverse("reviews:report_history", args=[report_a.pk])).content.decode()
    assert "bob" in html
    assert "Première version" in html and "Seconde version" in html


def test_dashboard_filters_by_kind_and_region(client, cycle, olga, report_a, unit_b, region):
    client.force_login(olga)
    html = client.get(reverse("reviews:dashboard", args=[2022]), {"region": region.code}).content.decode()
    assert 'data-unit="SP-A"' in html and 'data-unit="WS-B"' not in html
    html = client.get(reverse("reviews:dashboard", args=[2022]), {"kind": "security_prefecture"}).content.decode()
    assert 'data-unit="WS-B"' in html and 'data-unit="SP-A"' not in html


def test_dashboard_shows_state_lateness_and_completeness(client, olga, report_a, bob):
    from reviews import services

    services.report_update(
        actor=bob, report=report_a, outcomes={report_a.outcomes.first().deliverable_id: {"status": "done"}}
    )
    client.force_login(olga)
    import time_machine

    with time_machine.travel("2022-12-20 10:00 +01:00", tick=False):
        response = client.get(reverse("reviews:dashboard", args=[2022]))
    row = next(r for r in response.context["rows"] if r["unit"].code == "SP-A")
    assert row["report"].state == "draft" and row["late"] is True and row["completeness"] == 50


@pytest.mark.parametrize("url_name", ["reviews:dashboard", "reviews:report_list"])
def test_list_pages_keep_a_constant_number_of_queries(client, cycle, olga, django_assert_num_queries, url_name):
    client.force_login(olga)
    url = reverse(url_name, args=[2022]) if url_name == "reviews:dashboard" else reverse(url_name)
    grow_units(cycle, 3)
    assert_constant_queries(django_assert_num_queries, lambda: client.get(url), lambda: grow_units(cycle, 12))


def test_every_page_renders_in_arabic_right_to_left(client, report_a, olga, bob):
    client.cookies["django_language"] = "ar"
    client.force_login(bob)
    html = client.get(reverse("reviews:report_edit", args=[report_a.pk])).content.decode()
    assert 'dir="rtl"' in html and "bootstrap.rtl.min.css" in html
    client.force_login(olga)
    html = client.get(reverse("reviews:dashboard", args=[2022])).content.decode()
    assert 'lang="ar"' in html


def test_language_switch_is_remembered_on_the_profile(client, bob):
    client.force_login(bob)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    bob.refresh_from_db()
    assert bob.language == "en"


def test_pages_load_nothing_from_outside(client, report_a, bob):
    client.force_login(bob)
    for url in (
        reverse("reviews:report_edit", args=[report_a.pk]),
        reverse("reviews:report_list"),
        reverse("api-docs"),
    ):
        html = client.get(url).content.decode()
        for attr in ('src="http', 'href="http', 'src="//', 'href="//'):
            assert attr not in html, url


def test_history_shows_labels_not_stored_codes(client, submitted_report, olga):
    client.cookies["django_language"] = "en"
    client.force_login(olga)
    html = client.get(reverse("reviews:report_history", args=[submitted_report.pk])).content.decode()
    assert "<del><bdi>Draft</bdi></del>" in html and "<ins><bdi>Submitted</bdi></ins>" in html
    assert "<bdi>draft</bdi>" not in html
