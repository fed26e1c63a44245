from django import template

from figures import formatting

register = template.Library()


@register.filter
def num(value, unit="count"):
    return formatting.format_number(value, unit)


@register.filter
def change(line, words=None):
    return formatting.format_change(line, words)


@register.filter
def change_pct(line, words=None):
    return formatting.format_change_pct(line, words)


@register.filter
def arrow(line):
    return formatting.arrow(line)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def ltr(text):
    """Isolate a number left-to-right inside right-to-left text (U+2066 … U+2069), so "−12 130" keeps its sign."""
    return f"\u2066{text}\u2069"


@register.filter
def plain(value):
    """A stored Decimal as typed, for a form field: 14, 132.167 (no padding, no grouping)."""
    from figures.bilan import clean

    return "" if value is None or value == "" else str(clean(value))


@register.filter
def auto_dir(text):
    """Isolate text whose direction follows its first strong letter (U+2068 … U+2069): a French source
    note inside the Arabic edition stays readable."""
    return f"\u2068{text}\u2069" if text else text
