"""History for writes that bypass ``save()``.

django-simple-history records through model signals, so ``QuerySet.update()``
(the conditional claims of state transitions), ``bulk_create`` and ``bulk_update``
leave no history row by themselves (its issues #174,
#194). Every such write calls one of these helpers so that no change goes
unrecorded. The rows are the ones simple-history would write (same columns),
copied by the database itself with one ``INSERT … SELECT``.
"""

import json

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.text import clean_instance

CREATED, CHANGED, DELETED = "+", "~", "-"


def attribute(instance: Model, *, actor: object, reason: str | None = None) -> None:
    """Name who (and, given a reason, why) in the history row of the next ``save()`` or ``delete()``.

    django-simple-history reads these two attributes of the instance; this is the one place that sets them.
    """
    instance._history_user = actor  # type: ignore[attr-defined]  # simple-history's hook, not a model field
    if reason is not None:
        instance._change_reason = reason  # type: ignore[attr-defined]


def record(instances, *, history_type, actor, reason=""):
    """Write one history row of ``history_type`` ("+", "~" or "-") per saved instance, as the rows now are.

    One ``INSERT INTO <history table> … SELECT … FROM <table>``: the database copies the tracked
    columns itself, whatever the number of rows (nothing is built in Python per row). The instances
    must be in the database in the state to record (just created, or just updated).
    """
    instances = list(instances)
    if not instances:
        return 0
    return record_rows(
        type(instances[0]), [i.pk for i in instances], history_type=history_type, actor=actor, reason=reason
    )


def record_rows(model, ids, *, history_type, actor, reason=""):
    """``record`` for the rows of ``model`` with these primary keys, without loading them."""
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    ids = list(ids)
    history = model.history.model
    names = [field.attname for field in history.tracked_fields]
    target = [history._meta.get_field(name).column for name in names]
    source = [model._meta.get_field(name).column for name in names]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        condition, id_param = "= ANY(%s)", ids
    else:  # SQLite: one parameter however many ids (its limit on parameters is low)
        condition, id_param = "IN (SELECT value FROM json_each(%s))", json.dumps(ids)
    # Only the models' own table and column names, quoted by the backend, are formatted in; every value
    # is a query parameter.
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in target)}, "  # nosec B608
        f"{quote('history_date')}, {quote('history_user_id')}, {quote('history_type')}, "
        f"{quote('history_change_reason')}) "
        f"SELECT {', '.join(quote(c) for c in source)}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} {condition} ORDER BY {quote(model._meta.pk.column)}"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, getattr(actor, "pk", None), history_type, reason, id_param])
        return cursor.rowcount


def record_update(instances, *, actor, reason=""):
    """Write a "changed" history row for instances already changed with ``update()`` or ``bulk_update()``."""
    return record(instances, history_type=CHANGED, actor=actor, reason=reason)


def bulk_create(model, instances, *, actor, reason="", batch_size=500):
    """``bulk_create`` that also writes one "created" history row per instance (text cleaned as save() does)."""
    instances = [clean_instance(instance) for instance in instances]
    if not instances:
        return []
    if connection.features.can_return_rows_from_bulk_insert:
        created = model._default_manager.bulk_create(instances, batch_size=batch_size)
        record(created, history_type=CREATED, actor=actor, reason=reason)
        return created
    return bulk_create_with_history(  # the database gives no ids back: simple-history finds the rows again
        instances, model, batch_size=batch_size, default_user=actor, default_change_reason=reason
    )
