"""Queue a Celery task without ever failing the request that asked for it.

If the broker is unreachable the call returns False at once (after the first failed publish, later
ones are not attempted for ``BROKER_PAUSE`` seconds: each attempt against a dead broker costs about a
second). Callers keep what is to be done in the database, so a periodic task picks it up later.
"""

import logging
import time

logger = logging.getLogger(__name__)

BROKER_PAUSE = 30.0
_broker_down_until = 0.0


def reset():
    """Forget a broker failure (tests, and after the broker is known to be back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def enqueue(task, *args):
    """Queue ``task(*args)``; True if the broker took it, False (logged) if it could not be queued.

    Never raises: in the eager mode an exception of the task itself is logged and swallowed too.
    """
    global _broker_down_until
    if not task.app.conf.task_always_eager and time.monotonic() < _broker_down_until:
        logger.warning("Broker marked unreachable: %s%r not queued; it will be picked up later.", task.name, args)
        return False
    try:
        task.delay(*args)
        return True
    except Exception:  # broker down (kombu OperationalError, redis ConnectionError …) or an eager failure
        if not task.app.conf.task_always_eager:
            _broker_down_until = time.monotonic() + BROKER_PAUSE
        logger.warning("Could not queue %s%r; it will be picked up later.", task.name, args, exc_info=True)
        return False
