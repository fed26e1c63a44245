from django import template

from figures import formatting

register = template.Library()


@register.filter
def num(value, unit="count"):
    return formatting.format_number(value, unit)


@register.filter
def change(line):
    return formatting.format_change(line)


@register.filter
def change_pct(line):
    return formatting.format_change_pct(line)


@register.filter
def signed_percent(change):
    return formatting.signed_percent(change)


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


@register.inclusion_tag("figures/includes/changes.html")
def figure_changes(directorate_ids, year, heading=True):
    # ``directorate_ids``: one unit id, a list of them, or "all".
    """The figures of these units for ``year`` that changed past their threshold, with the units'
    justifications: shown to the office on the report, in the briefing pack and as the bilan's notes."""
    from figures.selectors import changes_past_threshold

    if directorate_ids == "all":
        directorate_ids = None
    elif not isinstance(directorate_ids, (list, tuple, set)):
        directorate_ids = [directorate_ids]
    return {
        "rows": changes_past_threshold(directorate_ids=directorate_ids, year=year),
        "year": year,
        "heading": heading,
        "several_units": directorate_ids is None or len(directorate_ids) != 1,
    }


@register.inclusion_tag("figures/includes/series.html")
def unit_figure_series(directorate_id, year, span=5):
    """A unit's figures over the ``span`` years ending with ``year``, with the change from the year
    before: the meeting screen's table. One query."""
    from figures.selectors import unit_series

    years = list(range(year - span + 1, year + 1))
    return {"years": years, "rows": unit_series(directorate_id=directorate_id, years=years)}
