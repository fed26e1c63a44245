"""Item-level review on the web pages, in French and Arabic: flag on return, checklist, threads, what changed."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from reviews import services
from reviews.models import ReportState, ReviewItem
from tests.helpers import figure_versions
from tests.reviews.test_review_items import _first_deliverable, _last_deliverable, flagged, parts, submitted  # noqa: F401


def _edit_post(client, report, html, **changes):
    """Post the edit form as the browser would: every enabled field with its value, then ``changes``."""
    form = html[html.index('id="report-form"') : html.index("</form>", html.index('id="report-form"'))]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name is None or " disabled" in tag or 'type="file"' in tag:
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        data[name.group(1)] = value.group(1) if value else "on"
    for name, body in re.findall(r'<select(?![^>]*disabled)[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = selected.group(1) if selected else ""
    for name, text in re.findall(r'<textarea(?![^>]*disabled)[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data[name] = text
    data.update(changes)
    return client.post(reverse("reviews:report_edit", args=[report.pk]), data)


def test_the_office_flags_items_on_the_return_form(client, submitted, parts, olga):  # noqa: F811
    client.force_login(olga)
    html = client.get(reverse("reviews:report_detail", args=[submitted.pk])).content.decode()
    assert 'id="flag-items"' in html
    deliverable = _first_deliverable(submitted)
    assert f'value="outcome:{deliverable}"' in html and f'value="figure:{parts["figure"].pk}"' in html
    response = client.post(
        reverse("reviews:report_transition", args=[submitted.pk, "return"]),
        {
            "comment": "Deux points",
            "flag": [f"outcome:{deliverable}", f"achievement:{parts['achievement'].pk}"],
            f"flag-comment-outcome-{deliverable}": "Preuve manquante",
            f"flag-comment-achievement-{parts['achievement'].pk}": "Préciser",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ReportState.RETURNED
    assert sorted(submitted.review_items.values_list("kind", "comment")) == [
        ("achievement", "Préciser"),
        ("outcome", "Preuve manquante"),
    ]


def test_a_flag_without_its_comment_keeps_the_report_submitted(client, submitted, olga):  # noqa: F811
    client.force_login(olga)
    deliverable = _first_deliverable(submitted)
    response = client.post(
        reverse("reviews:report_transition", args=[submitted.pk, "return"]),
        {"comment": "x", "flag": [f"outcome:{deliverable}"]},
        follow=True,
    )
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    assert not ReviewItem.objects.exists()
    assert "Indiquez ce qui doit être corrigé" in response.content.decode()


@pytest.mark.parametrize("language, heading", [("fr", "Points à corriger"), ("ar", "البنود الواجب تصحيحها")])
def test_the_unit_sees_its_checklist_with_each_comment_next_to_the_item(
    client,
    flagged,
    alice,  # noqa: F811
    language,
    heading,
):
    client.force_login(alice)
    with translation.override(language):
        html = client.get(
            reverse("reviews:report_detail", args=[flagged.pk]), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    assert heading in html
    checklist = html[html.index('id="flags"') :]
    assert "Preuve manquante" in checklist and "Préciser l&#x27;effectif" in checklist
    outcomes = html[html.index('id="outcomes"') :]
    assert 'class="flag-note' in outcomes and "Preuve manquante" in outcomes


def test_the_edit_page_leaves_only_flagged_items_editable(client, flagged, parts, bob):  # noqa: F811
    client.force_login(bob)
    url = reverse("reviews:report_edit", args=[flagged.pk])
    html = client.get(url).content.decode()
    first, last = _first_deliverable(flagged), _last_deliverable(flagged)
    cards = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r'data-deliverable="(\d+)">.*?(?=<div class="card mb-3 outcome-card|<h2)', html, re.S)
    }
    assert " disabled" not in cards[first].split("card-body")[1].split("<select")[1][:20]
    assert "<select disabled" in cards[last]
    assert "achievements-empty" not in html  # no item can be added
    assert html.count('class="row g-2 mb-2 constraint-row locked"') == 1
    assert "Preuve manquante" in html
    # the browser cannot send a locked field; a forged one is ignored, the flagged ones are saved
    response = _edit_post(
        client,
        flagged,
        html,
        **{
            "summary": "Résumé revu",
            "achievements-0-description": "14 agents",
            "constraints-0-description": "forgé",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    flagged.refresh_from_db()
    assert flagged.summary == "Résumé revu"
    assert flagged.achievements.get().description == "14 agents"
    assert flagged.constraints.get().description == "Crédits tardifs"


def test_unit_and_office_write_in_a_thread(client, flagged, bob, olga, charlie):  # noqa: F811
    flag = flagged.review_items.first()
    url = reverse("reviews:review_item_comment", args=[flagged.pk, flag.pk])
    client.force_login(bob)
    response = client.post(url, {"text": "Preuve jointe", "back": "edit"})
    assert response.status_code == 302 and response["Location"].endswith(f"/edit/#flag-{flag.pk}")
    client.force_login(olga)
    client.post(url, {"text": "Bien reçu"})
    assert list(flag.comments.values_list("author__username", "text")) == [
        ("bob", "Preuve jointe"),
        ("olga", "Bien reçu"),
    ]
    html = client.get(reverse("reviews:report_detail", args=[flagged.pk])).content.decode()
    assert "Preuve jointe" in html and "Bien reçu" in html
    client.force_login(charlie)
    assert client.post(url, {"text": "x"}).status_code == 404


@pytest.mark.parametrize(
    "language, heading", [("fr", "Ce qui a changé depuis le retour"), ("ar", "ما تغيّر منذ الإرجاع")]
)
def test_after_resubmission_the_office_sees_before_and_after(
    client,
    flagged,
    parts,
    bob,
    alice,
    olga,  # noqa: F811
    language,
    heading,
):
    services.report_update(
        actor=bob,
        report=flagged,
        achievements=[{"id": parts["achievement"].pk, "title": "Brigade créée", "description": "14 agents"}],
    )
    services.report_submit(actor=alice, report=flagged)
    client.force_login(olga)
    html = client.get(
        reverse("reviews:report_detail", args=[flagged.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert heading in html
    changes = html[html.index('id="changes"') :]
    row = changes[changes.index('class="table-warning changed"') :]
    assert "12 agents" in row[:400] and "14 agents" in row[:400]


def test_the_detail_page_costs_the_same_queries_with_more_flags(
    client,
    flagged,
    olga,
    bob,  # noqa: F811
    django_assert_num_queries,
):
    from reviews.models import ReviewItemComment
    from tests.helpers import assert_constant_queries

    client.force_login(bob)
    event = flagged.events.get(new_state="returned")

    def grow():
        start = ReviewItem.objects.count()
        for n in range(4):
            item = ReviewItem.objects.create(
                report=flagged,
                return_event=event,
                kind="figure",
                item_id=5000 + start + n,
                label="x",
                comment="y",
                flagged_by=olga,
            )
            ReviewItemComment.objects.create(item=item, author=bob, text="z")

    url = reverse("reviews:report_detail", args=[flagged.pk])
    assert_constant_queries(django_assert_num_queries, lambda: client.get(url), grow)
    url = reverse("reviews:report_edit", args=[flagged.pk])
    assert_constant_queries(django_assert_num_queries, lambda: client.get(url), grow)


def test_the_figures_page_leaves_only_flagged_figures_editable(client, submitted, parts, olga, bob):  # noqa: F811
    services.report_return(
        actor=olga,
        report=submitted,
        comment="x",
        items=[{"kind": "figure", "id": parts["figure"].pk, "comment": "Vérifier ce chiffre"}],
    )
    client.force_login(bob)
    url = reverse("figures:report_figures", args=[submitted.pk])
    html = client.get(url).content.decode()
    assert "Vérifier ce chiffre" in html
    assert '<input disabled class="form-control form-control-sm" inputmode="decimal" id="value-arrests"' in html
    assert '<input class="form-control form-control-sm" inputmode="decimal" id="value-cases_handled"' in html
    read = figure_versions(html)  # the versions the page showed (a concurrent change is refused otherwise)
    response = client.post(
        url,
        {
            **read,
            "value-cases_handled": "150",
            "note-cases_handled": "",
            "justification-cases_handled": "Première année",
        },
    )
    assert response.status_code == 302
    parts["figure"].refresh_from_db()
    assert parts["figure"].value == 150
    response = client.post(url, {**read, "value-arrests": "9", "note-arrests": ""}, follow=True)  # forged: refused
    assert "arrests" in response.content.decode()
    parts["other_figure"].refresh_from_db()
    assert parts["other_figure"].value == 7


def test_the_reports_history_shows_each_flag_with_who_and_when(client, flagged, olga):  # noqa: F811
    client.force_login(olga)
    html = client.get(reverse("reviews:report_history", args=[flagged.pk])).content.decode()
    assert "Préciser l&#x27;effectif" in html and "Preuve manquante" in html  # each flag, with its comment
    assert "flagged on return" in html
