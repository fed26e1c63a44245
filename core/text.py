"""Text as the application stores it: no bidirectional control characters, no NUL.

Bidi controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F/U+061C
marks) make text display in another order than it is stored: "<U+202E>gpj.exe" shows as "exe.jpg". They are a
display-spoofing vector, and the pages already give each block of French or Arabic its own direction
(``dir="auto"``), so nothing legitimate needs them: they are removed, not refused (a paste from a word
processor often carries a stray RLM). NUL cannot be stored by PostgreSQL and means nothing in text.

One rule, applied wherever text enters: every model save (web forms, API, admin, services: the
``pre_save`` receiver wired in ``core.apps``), the bulk writes of ``core.audit`` and services, and
spreadsheet cells (``transfers.widgets.TextWidget``).
"""

from django.db import models

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REMOVED = dict.fromkeys(map(ord, BIDI_CONTROLS | {"\x00"}))


def clean_text(value):
    """``value`` without bidi controls and NUL (anything that is not a string is returned as it is)."""
    return value.translate(_REMOVED) if isinstance(value, str) else value


def clean_instance(instance):
    """Clean every text field of a model instance in place (before it is saved)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname, None)
            if isinstance(value, str):
                cleaned = clean_text(value)
                if cleaned is not value and cleaned != value:
                    setattr(instance, field.attname, cleaned)
    return instance


def clean_before_save(sender, instance, raw=False, **kwargs):
    """``pre_save`` receiver for every model (fixtures loaded raw are left as they are)."""
    if not raw:
        clean_instance(instance)
