"""Display rounding: the only place where the bilan's exact Decimals are rounded."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.i18n import active_language
from figures.bilan import ChangeStatus

# Decimal places shown per measurement unit.
PLACES = {"count": 0, "kg": 3, "t": 3, "l": 0, "mad": 0, "percent": 1, "hours": 0}


# (thousands separator, decimal separator) per language; Western digits in every language, as
# the DGSN publishes them. Django's Arabic format has no grouping, which makes 4 680 000 unreadable.
SEPARATORS = {"fr": ("\u202f", ","), "ar": ("\u00a0", ","), "en": (",", ".")}


def number_format(value, places, **_ignored):
    thousands, decimal = SEPARATORS[active_language()]
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


def rounded(value, places):
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value, unit="count"):
    if value is None or value == "":
        return "—"
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    places = PLACES.get(unit, 2)
    if unit in ("kg", "t"):
        value = value.normalize() if value == rounded(value, places) else rounded(value, places)
        places = max(0, -value.as_tuple().exponent)
    return number_format(rounded(value, places), places, use_l10n=True, force_grouping=True)


def format_change(line):
    """The absolute change, signed, in the indicator's unit ("n/a" when it cannot be computed)."""
    if line.change is None:
        return _("n/a")
    text = format_number(abs(line.change), line.unit)
    return ("+" if line.change > 0 else "−" if line.change < 0 else "") + text


def format_change_pct(line):
    """The relative change, signed, one decimal; "new" against zero, "n/a" without a previous value."""
    if line.status == ChangeStatus.NEW:
        return _("new")
    return signed_percent(line.change_pct)


def signed_percent(change):
    """A change in percent, signed, one decimal; "new" from zero (an infinite change), "n/a" for None."""
    if change is None:
        return _("n/a")
    if change.is_infinite():
        return _("new")
    value = rounded(change, 1)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{number_format(abs(value), 1, use_l10n=True, force_grouping=True)} %"


def arrow(line):
    return {"up": "▲", "down": "▼"}.get(line.trend, "=")
