"""State transitions: one recipe for every model that moves through states (reports, roadmaps, the bilan).

A ``StateMachine`` declares a model's moves (source → targets) and its event model. ``move()`` is the
only way a state changes: it checks the move against the table, claims the row with a conditional
UPDATE (on its state, and on its version where concurrent editors must not overwrite each other), so
that of two concurrent moves exactly one wins and the other gets a clear message; then it writes the
event row (who, when, from, to, why) and the history row, and announces the event once the
transaction has committed.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from core import audit
from core.errors import InvalidTransition


@dataclass(frozen=True)
class StateMachine:
    transitions: Mapping[str, set[str]]  # state → the states it may move to
    event_model: type
    subject: str  # the event model's foreign key to the moving row ("report", "roadmap", "bilan")
    invalid_message: Callable[[str, str], str]  # (from, to) → why the move is not allowed
    stale_message: Callable[[], str]  # someone else moved the row first
    signal: Signal | None = None  # sent with ``event_id`` after commit
    bump_version: bool = True  # each move is a new version of the row (reports, the bilan)
    claim_on_version: bool = False  # the move also needs the version the actor saw (roadmaps)
    event_fields: Callable[[Any], dict[str, object]] = field(default=lambda instance: {})

    def allows(self, from_state, to_state):
        return to_state in self.transitions.get(from_state, ())


def move(machine, *, instance, actor, to_state, comment="", extra=None):
    """Move ``instance`` to ``to_state``; returns the event. Call inside the service's transaction.

    ``extra``: other columns set by the same UPDATE (``submitted_at``, ``approved_by`` …).
    """
    from_state = str(instance.state)
    if not machine.allows(from_state, to_state):
        raise InvalidTransition(machine.invalid_message(from_state, to_state))
    now = timezone.now()
    claim = type(instance).objects.filter(pk=instance.pk, state=from_state)
    if machine.claim_on_version:
        claim = claim.filter(version=instance.version)
    changes = {"state": to_state, "updated_at": now, **(extra or {})}
    if machine.bump_version:
        changes["version"] = F("version") + 1
    if not claim.update(**changes):
        raise InvalidTransition(machine.stale_message())
    instance.refresh_from_db()
    event = machine.event_model.objects.create(
        **{machine.subject: instance},
        old_state=from_state,
        new_state=to_state,
        actor=actor,
        comment=comment,
        created_at=now,
        **machine.event_fields(instance),
    )
    # QuerySet.update() bypasses simple-history's signals: the history row is written here.
    audit.record_update([instance], actor=actor, reason=f"{from_state} → {to_state}")
    if machine.signal is not None:
        signal, sender, event_id = machine.signal, machine.event_model, event.pk
        transaction.on_commit(lambda: signal.send(sender=sender, event_id=event_id))
    return event
