"""History pages read as sentences: translated transitions, people's names, no internal fields or empty rows,
outcome rows that name their deliverable."""

import pytest
from django.urls import reverse

from core import audit
from directorates.models import Deliverable
from reviews import services


@pytest.fixture
def accepted(submitted_report, olga, alice, bob):
    for person, first, last in ((olga, "Olga", "Bennani"), (alice, "Alice", "Amrani"), (bob, "Bob", "Berrada")):
        person.first_name, person.last_name = first, last
        person.save()
    return services.report_accept(actor=olga, report=submitted_report)


def _history(client, report, olga, language):
    client.force_login(olga)
    client.cookies["django_language"] = language
    return client.get(reverse("reviews:report_history", args=[report.pk])).content.decode()


def test_transitions_show_translated_states_not_codes(client, accepted, olga):
    html = _history(client, accepted, olga, "fr")
    assert "submitted → accepted" not in html and "draft → submitted" not in html
    assert "Soumis → Accepté" in html


def test_people_are_named_not_logged(client, accepted, olga):
    html = _history(client, accepted, olga, "en")
    table = html[html.index("history-diff") :]  # the menu shows one's own login: not part of the history
    assert "Olga Bennani" in table and "Bob Berrada" in table
    assert ">olga<" not in table and ">bob<" not in table


def test_internal_fields_are_hidden(client, accepted, olga):
    html = _history(client, accepted, olga, "en")
    assert "<strong>version</strong>" not in html
    assert "<strong>last change</strong>" not in html


def test_outcome_rows_name_their_deliverable(client, accepted, olga, deliverables):
    html = _history(client, accepted, olga, "en")
    assert "Deliverable outcome — Créer une brigade anti-gang" in html


def test_no_empty_change_rows(client, accepted, olga):
    from core.history import timeline
    from reviews.models import Report

    for entry in timeline(Report.history.filter(id=accepted.pk)):
        assert entry["changes"] or entry["reason"], entry


def test_import_reasons_are_translated(client, unit_a, olga, deliverables):
    d = Deliverable.objects.get(pk=deliverables[0].pk)
    d.title = "Créer deux brigades"
    Deliverable.objects.filter(pk=d.pk).update(title=d.title)
    audit.record_update([d], actor=olga, reason="import #3")
    client.force_login(olga)
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("directorates:unit_history", args=[unit_a.code])).content.decode()
    assert "import #3" not in html
    assert "import de tableur n° 3" in html
