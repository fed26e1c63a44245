"""The settings of every process that serves: web, worker, beat and `make demo`.

All of it comes from the environment (config/settings/base.py). With no environment but
DJANGO_DEBUG=true it is the embedded default: SQLite, tasks run eagerly, local-memory cache,
e-mails on the console. Without DJANGO_DEBUG it refuses to start half-configured.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BROKER_CONFIGURED, CELERY_TASK_ALWAYS_EAGER, DEBUG, SECRET_KEY

if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for local use).")
    # Local use only (refused above without DEBUG); bandit B105 accepted in docs/security.md.
    SECRET_KEY = "insecure-local-development-key-never-used-in-production"  # nosec B105

if not BROKER_CONFIGURED and not CELERY_TASK_ALWAYS_EAGER:
    # Without a broker every task (reminders, imports, PDFs) would run inside a web request: say so
    # rather than do it silently; a small install that wants exactly that asks for it.
    raise ImproperlyConfigured(
        "Set REDIS_URL (or CELERY_BROKER_URL) for the Celery broker, or CELERY_TASK_ALWAYS_EAGER=true "
        "to run tasks inside web requests."
    )
