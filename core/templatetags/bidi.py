"""``{{ value|isolate }}``: text typed by people (or a name that falls back to French) isolated from the
page's direction with <bdi>, so that French inside an Arabic page keeps its own order — also inside a
translated sentence: ``{% blocktranslate with name=unit.name|isolate %}``."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def isolate(value):
    if value in (None, ""):
        return ""
    return format_html("<bdi>{}</bdi>", value)
