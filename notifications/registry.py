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

from django.utils.functional import Promise

from core.i18n import field_in, language_codes

REGISTRY: dict[str, "ReminderKind"] = {}


@dataclass(frozen=True)
class Due:
    recipient_id: int
    occasion: str
    context: dict = field(default_factory=dict)
    cycle_id: int | None = None
    directorate_id: int | None = None


class ReminderKind:
    """What every kind declares; the machinery reads nothing else of it."""

    key = ""
    label: str | Promise = ""
    # Event notices go out as soon as they are due; scheduled reminders wait for the policy's hour.
    scheduled = True
    # Notices of an event: "report" or "roadmap", the event table whose row ids ``due(event_ids=…)``
    # takes; sent at once after the event (services.event_notify), and by the due-check if missed.
    event_source: str | None = None

    def due(self, *, today, now, policies, **selection):
        """Yield ``Due`` items for ``today``. ``policies`` maps open cycle id → ReminderPolicy;
        ``selection`` narrows to given rows (``event_ids``, ``extension_ids``) for an immediate notice."""
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


def event_kinds(source):
    """The kinds that tell about events of ``source`` ("report" or "roadmap")."""
    return [kind for kind in REGISTRY.values() if kind.event_source == source]


def unit_names(directorate):
    """The unit's name in every language, for a notification's context (its text is written later)."""
    return {code: field_in(directorate, "name", code) for code in language_codes()}
