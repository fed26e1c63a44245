"""The test suite's settings: the environment's (config/settings/base.py), made safe to test with.

DATABASE_URL and REDIS_URL still point the suite at real servers (CI's second pass).
"""

from .base import *  # noqa: F403
from .base import LOGGING, env

SECRET_KEY = "tests-only-key-never-used-in-production"  # nosec B105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client speaks plain HTTP; tests of the HTTPS settings override these or run
# `check --deploy` on the production settings (tests/accounts/test_deployment.py).
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Tasks run inside the test unless a test starts a real worker (tests/*/test_*worker*).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "celery.app.trace": {"level": "WARNING"}}}
