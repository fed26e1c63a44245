"""Every <input type="date"> shows its value in ISO yyyy-mm-dd, the only form browsers read, in every language.

A date rendered as 30/09/2023 (French) shows as an empty field and the next save drops or refuses it.
"""

import datetime
import importlib
import inspect
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from core.forms import IsoDateInput
from directorates.models import Deliverable
from tests.factories import DeliverableFactory

LANGUAGES = [code for code, _ in settings.LANGUAGES]


class FormValues(HTMLParser):
    """The values a browser would send back for the form in the page (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.values, self.date_inputs, self._select, self._textarea = {}, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox", "file"):
            self.values[name] = attrs.get("value") or ""
            if attrs.get("type") == "date":
                self.date_inputs[name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def page_form(html):
    parser = FormValues()
    parser.feed(html)
    return parser


def project_forms():
    for app in apps.get_app_configs():
        if not app.path.startswith(str(settings.BASE_DIR)) or ".venv" in app.path:
            continue
        try:
            module = importlib.import_module(f"{app.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_date_field_of_every_form_renders_iso():
    checked = 0
    for form_class in project_forms():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField):
                assert isinstance(field.widget, IsoDateInput), f"{form_class.__name__}.{name}"
                checked += 1
    assert checked >= 6


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_deliverable_date_round_trips_through_its_form(client, language, report_a, alice):
    deliverable = DeliverableFactory(
        directorate=report_a.directorate,
        year=report_a.cycle.year,
        target_quantity=None,
        target_unit="",
        target_date=datetime.date(2022, 9, 30),
        due_date=datetime.date(2022, 12, 31),
    )
    client.force_login(alice)
    client.cookies["django_language"] = language
    url = reverse(
        "directorates:deliverable_edit", args=[deliverable.directorate.code, deliverable.year, deliverable.pk]
    )
    page = page_form(client.get(url).content.decode())
    assert page.date_inputs == {"target_date": "2022-09-30", "due_date": "2022-12-31"}
    response = client.post(url, page.values)
    assert response.status_code == 302, response.content.decode()[:3000]
    deliverable = Deliverable.objects.get(pk=deliverable.pk)
    assert (deliverable.target_date, deliverable.due_date) == (datetime.date(2022, 9, 30), datetime.date(2022, 12, 31))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_milestone_due_date_shows_in_iso_on_the_objective_form(client, language, draft, olga):
    from roadmap import services

    objective = draft.objectives.first()
    services.milestones_set(
        actor=olga,
        objective=objective,
        milestones=[{"title": "Phase 1", "due_date": datetime.date(2023, 9, 30), "target_value": 5}],
    )
    client.force_login(olga)
    client.cookies["django_language"] = language
    page = page_form(client.get(reverse("roadmap:objective_edit", args=[objective.pk])).content.decode())
    assert page.date_inputs["milestones-0-due_date"] == "2023-09-30"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_status_date_filter_keeps_its_value(client, language, draft, olga):
    client.force_login(olga)
    client.cookies["django_language"] = language
    html = client.get(reverse("roadmap:detail", args=[draft.year]), {"as_of": "2023-09-30"}).content.decode()
    assert page_form(html).date_inputs["as_of"] == "2023-09-30"
