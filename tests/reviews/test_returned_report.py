"""A returned report can be corrected: its pages open and say why it came back, who returned it and when."""

import pytest
from django.urls import reverse

from reviews import services


@pytest.fixture
def returned_report(submitted_report, olga):
    return services.report_return(actor=olga, report=submitted_report, comment="Chiffres de saisies manquants")


@pytest.mark.parametrize("who", ["bob", "alice"])
def test_the_edit_page_of_a_returned_report_opens_with_the_reason(client, returned_report, who, request, olga):
    olga.first_name, olga.last_name = "Olga", "Bennani"
    olga.save()
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("reviews:report_edit", args=[returned_report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chiffres de saisies manquants" in html
    assert "Olga Bennani" in html
    assert 'id="return-reason"' in html


def test_the_detail_page_of_a_returned_report_shows_the_reason_at_the_top(client, returned_report, bob):
    client.force_login(bob)
    html = client.get(reverse("reviews:report_detail", args=[returned_report.pk])).content.decode()
    assert html.index('id="return-reason"') < html.index("Chiffres de saisies manquants") < html.index('id="events"')


def test_the_reason_shown_is_the_latest_return(client, returned_report, alice, olga, bob):
    services.report_submit(actor=alice, report=returned_report)
    services.report_return(actor=olga, report=returned_report, comment="Deuxième retour")
    client.force_login(bob)
    html = client.get(reverse("reviews:report_edit", args=[returned_report.pk])).content.decode()
    reason = html[html.index('id="return-reason"') :]
    reason = reason[: reason.index("</div>")]
    assert "Deuxième retour" in reason
    assert "Chiffres de saisies manquants" not in reason
