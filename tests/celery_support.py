"""Pointing this process's Celery app at a real broker for a test, and back: the one way to do it.

Celery keeps on the app the broker's connection and producer pools and the queue declarations
(``app.amqp.queues`` and ``default_queue``, built once from ``task_default_queue``). A test that
changes the broker or the default queue without dropping them publishes on the old queue while its
worker listens on the new one, and then waits for nothing (seen after the notifications' worker tests).
"""

import contextlib

from config.celery import app

SAVED = ("broker_url", "task_always_eager", "task_default_queue", "result_backend")


def configure(**conf):
    """``app.conf.update(**conf)``, with every cache built from the old configuration dropped."""
    app.conf.update(**conf)
    app._pool = None
    app.amqp._producer_pool = None
    for cached in ("queues", "default_queue"):
        app.amqp.__dict__.pop(cached, None)
    return app


@contextlib.contextmanager
def celery_using(broker_url, *, queue=None):
    """Inside the block the app publishes for real (not eagerly) to ``broker_url``, on ``queue`` if given;
    afterwards it is as it was."""
    saved = {key: app.conf[key] for key in SAVED}
    configure(
        broker_url=broker_url,
        task_always_eager=False,
        result_backend=None,
        task_default_queue=queue or saved["task_default_queue"],
    )
    try:
        yield app
    finally:
        configure(**saved)
