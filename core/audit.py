"""History for writes that bypass ``save()``.

django-simple-history records through model signals, so ``QuerySet.update()``
(the conditional claims of state transitions), ``bulk_create`` and ``bulk_update``
leave no history row by themselves (its issues #174,
#194). Every such write calls one of these helpers so that no change goes
unrecorded. The rows are the ones simple-history would write (same columns),
built without its per-row overhead and inserted with one ``bulk_create``.
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

CREATED, CHANGED, DELETED = "+", "~", "-"


def record(instances, *, history_type, actor, reason="", batch_size=None):
    """Write one history row of ``history_type`` ("+", "~" or "-") per instance, in one INSERT per batch."""
    instances = list(instances)
    if not instances or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return []
    history = type(instances[0]).history.model
    attnames = [field.attname for field in history.tracked_fields]
    now = timezone.now()
    user_id = getattr(actor, "pk", None)
    rows = []
    for instance in instances:
        row = history(history_date=now, history_user_id=user_id, history_type=history_type,
                      history_change_reason=reason)
        for name in attnames:
            setattr(row, name, getattr(instance, name))
        rows.append(row)
    return history.objects.bulk_create(rows, batch_size=batch_size)


def record_update(instances, *, actor, reason=""):
    """Write a "changed" history row for instances already changed with ``update()`` or ``bulk_update()``."""
    return record(instances, history_type=CHANGED, actor=actor, reason=reason)


def bulk_create(model, instances, *, actor, reason="", batch_size=500):
    """``bulk_create`` that also writes one "created" history row per instance."""
    instances = list(instances)
    if not instances:
        return []
    if connection.features.can_return_rows_from_bulk_insert:
        created = model._default_manager.bulk_create(instances, batch_size=batch_size)
        record(created, history_type=CREATED, actor=actor, reason=reason, batch_size=batch_size)
        return created
    return bulk_create_with_history(  # the database gives no ids back: simple-history finds the rows again
        instances, model, batch_size=batch_size, default_user=actor, default_change_reason=reason
    )
