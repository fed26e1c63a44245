"""The reminder machinery's extension point: a registry of reminder kinds.

A kind says *who* must be told *what* on a given day, computed from the
database state; the machinery (claim rows, send, retry, log, in-app list)
is shared. Adding a kind (the roadmap's milestone reminders, say) is:

1. a subclass of ``ReminderKind`` with ``key``, ``label``, ``due()`` and ``subject()``,
   decorated with ``@register`` in a module imported by the app's ``ready()``;
2. two templates, ``notifications/email/<key>.txt`` and ``.html``.

``due()`` must be batched: a fixed number of queries whatever the number of
units, and yield ``Due`` items whose ``occasion`` names the occasion uniquely
within the kind (it is the idempotency key, with the recipient).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import get_language

REGISTRY = {}


@dataclass(frozen=True)
class Due:
    recipient_id: int
    occasion: str
    context: dict = field(default_factory=dict)
    cycle_id: int | None = None
    directorate_id: int | None = None


class ReminderKind:
    key = ""
    label = ""
    # Event notices go out as soon as they are due; scheduled reminders wait for the policy's hour.
    scheduled = True

    def due(self, *, today, now, policies):
        """Yield ``Due`` items for ``today``. ``policies`` maps open cycle id → ReminderPolicy."""
        return []

    def subject(self, context):
        raise NotImplementedError

    def attachments(self, context):
        """``(filename, content, mimetype)`` tuples attached to the e-mail."""
        return []


def register(kind_class):
    instance = kind_class()
    if not instance.key:
        raise ValueError(f"{kind_class.__name__} needs a key")
    REGISTRY[instance.key] = instance
    return kind_class


def get(key):
    return REGISTRY.get(key)


def localized(names, language=None):
    """Pick the current language's entry of a {"fr": …, "ar": …, "en": …} dict."""
    if not isinstance(names, dict):
        return names or ""
    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return names.get(language) or names.get("fr") or next(iter(names.values()), "")


def unit_names(directorate):
    return {"fr": directorate.name_fr, "ar": directorate.name_ar or directorate.name_fr,
            "en": directorate.name_en or directorate.name_fr}
