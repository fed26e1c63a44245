"""Widgets that turn spreadsheet cells into Python values with messages a user can act on.

They never query the database: foreign keys are looked up in dicts the resource prefetched once.
"""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from core.cells import parse_decimal
from core.text import clean_text


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return clean_text(str(value)).strip()


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip()
        if text.lstrip("-").isdigit():
            return int(text)
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class DecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, float):
            value = str(value)  # what the cell shows, not the binary fraction behind it
        try:
            return parse_decimal(value)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return int(value) if value == value.to_integral_value() else float(value)


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if " " in text:  # "2022-12-31 00:00:00" from a spreadsheet saved as text
            text = text.split(" ", 1)[0]
        if len(text) == 10 and text[4] == "-":
            try:
                return datetime.date.fromisoformat(text)  # the common case, without strptime's cost
            except ValueError:
                pass
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date (write YYYY-MM-DD or DD/MM/YYYY).") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """Accepts the stored value ("digital") or its label in any site language ("Digital services")."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return ""
        text = str(value).strip()
        lookup = getattr(self, "_lookup", None)
        if lookup is None:
            lookup = {}
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    for stored, label in self.choices:
                        lookup[str(label).casefold()] = stored
            for stored, _label in self.choices:
                lookup[stored.casefold()] = stored
            self._lookup = lookup
        try:
            return lookup[text.casefold()]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(stored for stored, _label in self.choices)}
            ) from None


class UnitCodeWidget(widgets.Widget):
    """A unit by its code, looked up in ``units`` (a dict code → Directorate the resource prefetched once)."""

    def __init__(self, *, required=True, **kwargs):
        super().__init__(**kwargs)
        self.units = {}
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            if self.required:
                raise ValueError(_("A unit code is required."))
            return None
        code = str(value).strip()
        unit = self.units.get(code) or self.units.get(code.upper())
        if unit is None:
            raise ValueError(_("Unknown unit code “%(code)s”.") % {"code": code})
        return unit

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""
