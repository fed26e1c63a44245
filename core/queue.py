"""Queue a Celery task without ever failing the request that asked for it.

If the broker is unreachable the call returns False at once (after the first failed publish, later
ones to that broker are not attempted for ``BROKER_PAUSE`` seconds: each attempt against a dead broker
costs about a second). Callers keep what is to be done in the database, so a periodic task picks it up
later. The pause belongs to the broker's address: a process that talks to another broker (a test's
dead one, a new configuration) is not held back by it.
"""

import logging
import time

logger = logging.getLogger(__name__)

BROKER_PAUSE = 30.0
_down_until: dict[str, float] = {}  # broker URL → monotonic time before which it is not tried again


def reset(broker_url=None):
    """Try the broker (or every broker) again at the next call: it is known to be back."""
    if broker_url is None:
        _down_until.clear()
    else:
        _down_until.pop(broker_url, None)


def enqueue(task, *args):
    """Queue ``task(*args)``; True if the broker took it, False (logged) if it could not be queued.

    Never raises: in the eager mode an exception of the task itself is logged and swallowed too.
    """
    broker = task.app.conf.broker_url
    if not task.app.conf.task_always_eager and time.monotonic() < _down_until.get(broker, 0.0):
        logger.warning("Broker marked unreachable: %s%r not queued; it will be picked up later.", task.name, args)
        return False
    try:
        task.delay(*args)
        return True
    except Exception:  # broker down (kombu OperationalError, redis ConnectionError …) or an eager failure
        if not task.app.conf.task_always_eager:
            _down_until[broker] = time.monotonic() + BROKER_PAUSE
        logger.warning("Could not queue %s%r; it will be picked up later.", task.name, args, exc_info=True)
        return False
