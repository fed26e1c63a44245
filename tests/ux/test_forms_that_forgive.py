"""The report form: every input has a label, rows are added without saving, the percentage opens for
"partly done" only."""

import re

import pytest
from django.urls import reverse

from reviews.models import Report
from tests.reviews.test_web import edit_payload


def _labelled(html, form_id):
    form = html[html.index(f'id="{form_id}"') :]
    form = form[: form.index("</form>")]
    form = re.sub(r"<template.*?</template>", "", form, flags=re.S)
    labels = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', form))
    fields = re.findall(r"<(input|select|textarea)\b([^>]*)>", form)
    unlabelled = []
    for _tag, attrs in fields:
        if re.search(r'type="(hidden|submit)"', attrs):
            continue
        field_id = re.search(r'\bid="([^"]+)"', attrs)
        if not field_id or field_id[1] not in labels:
            # a checkbox wrapped in its label is labelled too
            name = re.search(r'name="([^"]+)"', attrs)
            if name and re.search(rf"<label[^>]*>\s*<input[^>]*name=\"{re.escape(name[1])}\"", form):
                continue
            unlabelled.append(attrs)
    return unlabelled


def test_every_input_of_the_report_form_has_a_label(client, report_a, bob):
    client.force_login(bob)
    html = client.get(reverse("reviews:report_edit", args=[report_a.pk])).content.decode()
    assert _labelled(html, "report-form") == []


def test_every_milestone_input_has_a_label(client, draft, olga):
    client.force_login(olga)
    objective = draft.objectives.first()
    html = client.get(reverse("roadmap:objective_edit", args=[objective.pk])).content.decode()
    html = html.replace('<form method="post"', '<form id="objective-form" method="post"', 1)
    assert _labelled(html, "objective-form") == []


def test_the_report_form_offers_to_add_rows_without_saving(client, report_a, bob):
    client.force_login(bob)
    html = client.get(reverse("reviews:report_edit", args=[report_a.pk])).content.decode()
    for prefix in ("achievements", "constraints"):
        assert f'data-add-row="{prefix}"' in html
        template = html[html.index(f'<template id="{prefix}-empty">') :]
        assert f'name="{prefix}-__prefix__-' in template[: template.index("</template>")]


def test_rows_added_in_the_page_are_saved(client, report_a, bob):
    client.force_login(bob)
    payload = edit_payload(
        report_a,
        **{
            "achievements-TOTAL_FORMS": 3,
            "achievements-0-title": "Un",
            "achievements-1-title": "Deux",
            "achievements-2-title": "Trois",
        },
    )
    assert client.post(reverse("reviews:report_edit", args=[report_a.pk]), payload).status_code == 302
    assert list(Report.objects.get(pk=report_a.pk).achievements.values_list("title", flat=True)) == [
        "Un",
        "Deux",
        "Trois",
    ]


def test_the_percentage_is_closed_unless_partly_done(client, report_a, bob):
    from reviews import services

    first, second = report_a.outcomes.order_by("deliverable__due_date", "deliverable_id")
    services.report_update(
        actor=bob,
        report=report_a,
        outcomes={
            first.deliverable_id: {"status": "partial", "percent_done": 40},
            second.deliverable_id: {"status": "not_done"},
        },
    )
    client.force_login(bob)
    html = client.get(reverse("reviews:report_edit", args=[report_a.pk])).content.decode()
    inputs = {m[1]: m[0] for m in re.findall(r'(<input[^>]*name="(outcomes-\d-percent_done)"[^>]*>)', html)}
    assert "disabled" not in inputs["outcomes-0-percent_done"]
    assert "disabled" in inputs["outcomes-1-percent_done"]
