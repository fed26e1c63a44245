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
def arrow(line):
    return formatting.arrow(line)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
