"""Reminders and notices: compute what is due, claim it in the database, send it, retry it, re-send it.

Exactly once: a message is a ``Delivery`` row whose unique key is (kind, occasion,
recipient). It is inserted before anything is sent (``bulk_create`` that ignores
rows already there), so a due-check run twice, by two beats or two workers,
claims nothing twice. Sending locks the rows it sends (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL), sends, then marks them sent in the same transaction: a
second worker given the same ids skips them, a worker killed mid-send leaves them
pending (its transaction is rolled back) and the next due-check sends them, except those
the mail server had already accepted: each of these was recorded in the cache at once, and
is marked sent without being sent again.
A failed message stays ``failed`` with its error and is retried with back-off
until it goes through.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, queue
from core.errors import InvalidTransition, NotAllowed
from directorates.models import User
from notifications import registry
from notifications.models import Delivery, ReminderPolicy
from notifications.registry import Due, ReminderKind
from notifications.rendering import build_message
from reviews import permissions as review_permissions
from reviews.models import ReviewCycle

logger = logging.getLogger(__name__)

# How many messages one send task handles (one lock, one SMTP connection, one update).
SEND_BATCH = getattr(settings, "NOTIFICATIONS_SEND_BATCH", 100)
# A row handed to the broker is not handed again before this; if its task is lost
# (broker down, worker killed), the next due-check after it picks the row up again.
LEASE = datetime.timedelta(seconds=getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 600))
MAX_BACKOFF = datetime.timedelta(hours=6)


def backoff(attempts: int) -> datetime.timedelta:
    """Exponential back-off: 1, 2, 4, 8 … minutes after each failure, at most six hours."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# Queue without ever failing the caller: one helper for every app (core.queue); the due-check catches up.
enqueue = queue.enqueue


# ---------------------------------------------------------------- policy


def policy_for(cycle: ReviewCycle) -> ReminderPolicy:
    """The cycle's policy, or the default one (unsaved) if the administrator has not set any."""
    try:
        return cycle.reminder_policy
    except ReminderPolicy.DoesNotExist:
        return ReminderPolicy(cycle=cycle)


def open_policies() -> dict[int, ReminderPolicy]:
    cycles = ReviewCycle.objects.filter(state=ReviewCycle.State.OPEN).select_related("reminder_policy")
    return {cycle.pk: policy_for(cycle) for cycle in cycles}


# ---------------------------------------------------------------- claim


def deliveries_claim(*, kind: ReminderKind, dues: Iterable[Due], now: datetime.datetime) -> int:
    """Insert one pending row per due message not yet claimed. Returns how many rows were new.

    The unique constraint is the guard: rows another process inserted meanwhile are ignored by the
    database. The preliminary read only spares useless inserts.
    """
    dues = list(dues)
    if not dues:
        return 0
    existing = set(
        Delivery.objects.filter(kind=kind.key, occasion__in={d.occasion for d in dues}).values_list(
            "occasion", "recipient_id"
        )
    )
    rows: list[Delivery] = []
    seen: set[tuple[str, int]] = set()
    for due in dues:
        key = (due.occasion, due.recipient_id)
        if key in existing or key in seen:
            continue
        seen.add(key)
        rows.append(
            Delivery(
                kind=kind.key,
                occasion=due.occasion,
                recipient_id=due.recipient_id,
                cycle_id=due.cycle_id,
                directorate_id=due.directorate_id,
                context=due.context,
                created_at=now,
                next_attempt_at=now,
            )
        )
    # No batch size of ours: as many rows per INSERT as the database accepts (all of them on PostgreSQL).
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def reminders_compute_due(
    *, now: datetime.datetime | None = None, kinds: Iterable[str] | None = None
) -> dict[str, int]:
    """Claim every message due now according to the database state. Returns {kind: new rows}.

    Scheduled kinds wait for the policy's hour; event notices are due at once.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    hour = timezone.localtime(now).hour
    policies = open_policies()
    created: dict[str, int] = {}
    for kind in registry.REGISTRY.values():
        if kinds and kind.key not in kinds:
            continue
        kind_policies = (
            {pk: p for pk, p in policies.items() if p.send_from_hour <= hour} if kind.scheduled else policies
        )
        created[kind.key] = deliveries_claim(
            kind=kind, dues=kind.due(today=today, now=now, policies=kind_policies), now=now
        )
    return created


def reminders_dispatch(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic due-check: claim what is due, then hand every waiting row to the send task in batches."""
    from notifications import tasks

    now = now or timezone.now()
    created = reminders_compute_due(now=now)
    ids = list(Delivery.objects.to_send(now).order_by("pk").values_list("pk", flat=True))
    if ids:
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    for start in range(0, len(ids), SEND_BATCH):
        enqueue(tasks.send_deliveries, ids[start : start + SEND_BATCH])
    return {"created": sum(created.values()), "queued": len(ids)}


def event_notify(*, source: str, event_id: int, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The notices of one event, sent at once: a report's (returned → the unit, submitted → the DG's
    office …) or the roadmap's (proposed → the approvers; approved, sent back → the proposer).

    Each kind of ``source`` keeps only the events it is about (its states).
    """
    return _notify_now(
        kinds=registry.event_kinds(source),
        occasion=f"event:{event_id}",
        now=now or timezone.now(),
        event_ids=[event_id],
    )


def deadline_extension_notify(*, extension_id: int, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The notice of a deadline extension to the unit's writers, sent at once."""
    return _notify_now(
        kinds=[registry.get("deadline_extended")],
        occasion=f"extension:{extension_id}",
        now=now or timezone.now(),
        extension_ids=[extension_id],
    )


def item_comment_notify(*, comment_id: int, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The notice of a comment on a flagged item to the other side of the thread, sent at once."""
    return _notify_now(
        kinds=[registry.get("review_item_comment")],
        occasion=f"comment:{comment_id}",
        now=now or timezone.now(),
        comment_ids=[comment_id],
    )


def _notify_now(
    *, kinds: Sequence[ReminderKind], occasion: str, now: datetime.datetime, **selection: Any
) -> dict[str, Any]:
    """Claim and send at once the notices of one occasion (the due-check would send them later anyway)."""
    for kind in kinds:
        dues = kind.due(today=timezone.localdate(now), now=now, policies={}, **selection)
        deliveries_claim(kind=kind, dues=dues, now=now)
    if not kinds:
        return {"sent": 0, "failed": [], "in_app": 0}
    ids = list(
        Delivery.objects.filter(
            kind__in=[k.key for k in kinds], occasion=occasion, state=Delivery.State.PENDING
        ).values_list("pk", flat=True)
    )
    return deliveries_send(ids=ids)


# ---------------------------------------------------------------- send


def _lock_waiting(ids: Iterable[int]) -> list[Delivery]:
    rows = Delivery.objects.filter(pk__in=ids, state__in=(Delivery.State.PENDING, Delivery.State.FAILED))
    if connection.features.has_select_for_update_skip_locked:
        # Rows another worker is sending right now are skipped, not waited for.
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows.select_related("recipient").order_by("pk"))


# A message the mail server accepted is recorded at once in the cache (Redis in production),
# outside the database transaction that a killed worker loses: the next send of the row finds
# the marker and marks it sent without sending it again. One cache write per message, no query.
SENT_MARKER_PREFIX = "notifications:sent"
SENT_MARKER_TIMEOUT = 7 * 24 * 3600


def _sent_marker_key(row: Delivery) -> str:
    # The attempt count changes once the row is committed (sent or failed), so a row re-sent by
    # hand, or retried after a failure, is never taken for sent by an old marker; created_at tells
    # apart a row of a re-created database that reuses the id.
    return f"{SENT_MARKER_PREFIX}:{row.pk}:{row.attempts}:{row.created_at.timestamp():.6f}"


def _sent_markers(rows: Iterable[Delivery]) -> dict[int, datetime.datetime]:
    """{row id: sent_at} of the rows that a killed worker had already handed to the mail server."""
    keys = {_sent_marker_key(row): row.pk for row in rows if row.recipient.email}
    if not keys:
        return {}
    try:
        found = cache.get_many(list(keys))
    except Exception:  # the cache is down: send as if no marker were there
        logger.warning("Reading the sent-message markers failed; sending without them", exc_info=True)
        return {}
    markers: dict[int, datetime.datetime] = {}
    for key, value in found.items():
        try:
            markers[keys[key]] = datetime.datetime.fromisoformat(value)
        except (KeyError, TypeError, ValueError):
            continue
    return markers


def _forget_markers(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("Deleting sent-message markers failed; they expire by themselves", exc_info=True)


@transaction.atomic
def deliveries_send(*, ids: Iterable[int]) -> dict[str, Any]:
    """Send the waiting rows among ``ids``; rows already sent, or being sent elsewhere, are skipped.

    Idempotent. Returns {"sent": n, "in_app": n, "failed": [ids]}. A fixed number of queries per call.

    A worker killed after the mail server accepted some messages of its batch loses its
    transaction, but not the markers it wrote in the cache after each message: the next call
    for those rows marks them sent (at the recorded time) without sending them again. Only the
    message in flight between the server's acceptance and its marker can go out twice (at
    most one per killed worker process), with the same Message-ID.
    """
    rows = _lock_waiting(ids)
    result: dict[str, Any] = {"sent": 0, "in_app": 0, "failed": []}
    if not rows:
        return result
    already_sent = _sent_markers(rows)
    if already_sent:
        logger.info(
            "%d notification(s) already accepted by the mail server before a worker was lost: "
            "marked sent, not sent again",
            len(already_sent),
        )
    locked, rows = rows, [row for row in rows if row.pk not in already_sent]
    sent: list[int] = []
    in_app: list[int] = []
    failed: list[tuple[Delivery, Exception]] = []
    markers: list[str] = []
    use_cache = True
    mail = get_connection()
    try:
        mail.open()
    except Exception as error:  # the mail server is down: every row of the batch fails and is retried
        failed = [(row, error) for row in rows]
        rows = []
    for row in rows:
        if not row.recipient.email:
            in_app.append(row.pk)
            continue
        try:
            if not mail.send_messages([build_message(row, connection=mail)]):
                raise RuntimeError("the mail backend accepted no message")
        except Exception as error:
            failed.append((row, error))
            continue
        sent.append(row.pk)
        if use_cache:
            key = _sent_marker_key(row)
            try:
                cache.set(key, timezone.now().isoformat(), timeout=SENT_MARKER_TIMEOUT)
            except Exception:  # the cache is down: the batch is sent as before, without markers
                use_cache = False
                logger.warning(
                    "Recording a sent message in the cache failed; the rest of the batch is sent without markers",
                    exc_info=True,
                )
            else:
                markers.append(key)
    try:
        mail.close()
    except Exception:
        logger.warning("Closing the mail connection failed", exc_info=True)
    now = timezone.now()
    if sent or already_sent:
        # One UPDATE: rows sent now at ``now``, rows a lost worker had sent at the time it recorded.
        sent_at: datetime.datetime | Case = now
        if already_sent:
            sent_at = Case(
                *(When(pk=pk, then=Value(at)) for pk, at in already_sent.items()),
                default=Value(now),
                output_field=DateTimeField(),
            )
        Delivery.objects.filter(pk__in=[*sent, *already_sent]).update(
            state=Delivery.State.SENT, sent_at=sent_at, attempts=F("attempts") + 1, last_error=""
        )
    if in_app:
        Delivery.objects.filter(pk__in=in_app).update(
            state=Delivery.State.IN_APP, sent_at=now, last_error=_("No e-mail address: shown in the app only.")
        )
    for row, failure in failed:
        row.state = Delivery.State.FAILED
        row.attempts += 1
        row.last_error = f"{type(failure).__name__}: {failure}"[:2000]
        row.next_attempt_at = now + backoff(row.attempts)
        logger.warning("Notification %s to %s failed: %s", row.pk, row.recipient_id, row.last_error)
    if failed:
        Delivery.objects.bulk_update([row for row, _ in failed], ["state", "attempts", "last_error", "next_attempt_at"])
    changed = [*sent, *already_sent, *in_app, *(row.pk for row, _ in failed)]
    if changed:  # bulk updates bypass simple-history: one history row per delivery, in one insert
        audit.record_update(Delivery.objects.filter(pk__in=changed), actor=None, reason="delivery attempt")
    # Once the rows are committed as sent their markers are no longer needed (they expire anyway).
    markers += [_sent_marker_key(row) for row in locked if row.pk in already_sent]
    if markers:
        transaction.on_commit(lambda: _forget_markers(markers))
    result.update(sent=len(sent) + len(already_sent), in_app=len(in_app), failed=[row.pk for row, _ in failed])
    return result


# ---------------------------------------------------------------- by hand


@transaction.atomic
def delivery_resend(*, actor: User, delivery: Delivery) -> Delivery:
    """The DG's office sends a message again by hand (a failed one now, or a sent one once more)."""
    from notifications import tasks

    if not review_permissions.can_manage_cycles(actor):
        raise NotAllowed(_("Only the DG's office may re-send a notification."))
    now = timezone.now()
    if (
        not Delivery.objects.filter(pk=delivery.pk)
        .exclude(state=Delivery.State.PENDING)
        .update(state=Delivery.State.PENDING, next_attempt_at=now + LEASE, resent_by=actor, resent_at=now)
    ):
        raise InvalidTransition(_("This notification is already waiting to be sent."))
    delivery.refresh_from_db()
    audit.record_update([delivery], actor=actor, reason="re-sent by hand")
    transaction.on_commit(lambda: enqueue(tasks.send_deliveries, [delivery.pk]))
    return delivery


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or ``ids``). Returns how many changed."""
    rows = Delivery.objects.unread_for(user)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
