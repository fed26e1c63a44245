"""Values that cross a spreadsheet: numbers typed the way people type them, text that must stay text."""

from decimal import Decimal, InvalidOperation

# A cell starting with one of these is run as a formula by Excel and LibreOffice ("=HYPERLINK(…)").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Thousands separators people type or paste: space, no-break space, narrow no-break space (French).
_GROUPING = str.maketrans("", "", " \u00a0\u202f")


def formula_safe(value):
    """Text that a spreadsheet would run as a formula, prefixed with a quote (shown as typed); anything
    that is not text is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def parse_decimal(raw):
    """The finite Decimal that ``raw`` means, or ValueError.

    Takes numbers and text as typed in French, Arabic or English: "58785", "58 785", "132.167",
    "132,167" (one comma and no point: a decimal comma). A bool is not a number.
    """
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, str):
        text = raw.strip().translate(_GROUPING)
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        raw = text
    try:
        value = Decimal(raw)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a number")
    return value
