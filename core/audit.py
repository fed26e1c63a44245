"""History for writes that bypass ``save()``.

django-simple-history records through model signals, so ``QuerySet.update()``
(the conditional claims of state transitions) and ``bulk_create`` leave no
history row by themselves (its issues #174, #194). Every such write calls one
of these helpers so that no change goes unrecorded.
"""

from simple_history.utils import bulk_create_with_history

from core.text import clean_instance


def record_update(instances, *, actor, reason=""):
    """Write an "updated" history row for instances already changed with ``QuerySet.update()``."""
    instances = list(instances)
    if not instances:
        return
    model = type(instances[0])
    for instance in instances:
        # simple-history prefers a user left on the instance by an earlier save over default_user.
        instance._history_user = actor
    model.history.bulk_history_create(instances, update=True, default_user=actor, default_change_reason=reason)


def bulk_create(model, instances, *, actor, reason="", batch_size=500):
    """``bulk_create`` that also writes one "created" history row per instance (text cleaned as save() does)."""
    return bulk_create_with_history(
        [clean_instance(instance) for instance in instances], model, batch_size=batch_size, default_user=actor,
        default_change_reason=reason,
    )
