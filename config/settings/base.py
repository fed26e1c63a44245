"""What every setting is, read from environment variables (django-environ).

Not used alone: `config.settings.production` (web, worker, beat, `make demo`) adds the refusals
that keep an insecure or half-configured server from starting; `config.settings.test` adds what
the test suite needs.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Not DEBUG: HTTPS, HSTS and secure cookies are on unless the environment turns them off.
PRODUCTION = not DEBUG

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "health_check",
    "core",
    "directorates",
    "reviews",
    "figures",
    "roadmap",
    "notifications",
    "transfers",
    "accounts",
]

MIDDLEWARE = [
    "core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Database errors (PostgreSQL restarted) answered 503 with Retry-After, not 500; before the session's.
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lock-out noted during the request into the lock-out answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, eager tasks) share the file: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # A kept connection is checked before a request uses it: after PostgreSQL restarts, the first request
    # opens a fresh one instead of failing on the dead one (tests/test_database_restart.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_JIT_OFF", default=True):
    # PostgreSQL's JIT compiles a query whose *estimated* cost is high; the status subqueries
    # (roadmap.status) are estimated far above what they cost, and compiling them took 1.5 s of a
    # 1.7 s query on the national roadmap page (docs/performance.md). Short queries only here: off.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directorates.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses every attempt while the account or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "directorates.auth.DemoAwareModelBackend",
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("ar", _("العربية")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our corrections to Django's locale formats (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", default="Africa/Casablanca")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Attachments are private: served only through a permission-checked view, never by URL.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    # A cache that stops answering must not hold up a request or a send for long (notifications'
    # sent markers fall back to sending without them).
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 2, "socket_timeout": 2}

# Celery: a broker from the environment; without one, tasks run inside the request (eagerly), which
# the embedded default (DEBUG) does on its own and production only when asked (settings/production.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
BROKER_CONFIGURED = bool(env("CELERY_BROKER_URL", default=REDIS_URL))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=DEBUG and not BROKER_CONFIGURED)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Reminders (notifications app, docs/reminders.md): a queue name of its own lets several deployments
# share one Redis; a dead broker must not hold a web request for long (the due-check catches up).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Redis hands an unacknowledged task (acks_late) to another worker after visibility_timeout: it must be
# longer than the longest task (imports: 25 minutes), or a long import would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
}
NOTIFICATIONS_SEND_BATCH = env.int("NOTIFICATIONS_SEND_BATCH", default=100)
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=600)

# Four eyes on the roadmap: when on, the person who proposed a version may not approve it; another holder
# of the approval right must (docs/roadmap.md). Off by default: the DG's office may propose and approve.
ROADMAP_FOUR_EYES = env.bool("ROADMAP_FOUR_EYES", default=False)

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="bilan@dgsn.local")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Only the token endpoint is throttled (accounts.api); the lock-out (django-axes) counts failures.
    "DEFAULT_THROTTLE_RATES": {"token": env("API_TOKEN_THROTTLE_RATE", default="20/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Annual review API",
    "DESCRIPTION": "Annual reports, review cycles and cahiers des charges of the directorate-general's units.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes every endpoint: only people who are logged in read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStateEnum": "reviews.models.ReportState",
        "CycleStateEnum": "reviews.models.ReviewCycle.State",
        "DeliverableCategoryEnum": "directorates.models.Deliverable.Category",
        "ConstraintCategoryEnum": "reviews.models.ReportConstraint.Category",
        "OutcomeStatusEnum": "reviews.models.Outcome.Status",
        "ObjectiveStatusEnum": "roadmap.models.ObjectiveStatus",
        "RoadmapStateEnum": "roadmap.models.RoadmapState",
        "ObjectiveStateEnum": "roadmap.models.Objective.State",
        "ReviewItemKindEnum": "reviews.models.ReviewItem.Kind",
    },
}

# Demo logins (password "demo") exist only in a demo database and only work with DEBUG on.
DEMO_LOGINS_ENABLED = DEBUG

# --- Logins, tokens, sessions and HTTPS (docs/security.md) -----------------------------------
# Lock-out (django-axes): after AXES_FAILURE_LIMIT failed logins an account, and separately an
# address, is refused for AXES_COOLOFF_TIME, on /login/, /admin/login/ and the API token endpoint.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# API tokens (django-rest-knox): only a digest is stored; each expires after API_TOKEN_TTL_HOURS.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=8)),
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKENS_PER_USER", default=10),
    "AUTO_REFRESH": False,
}

# Second factor (django-otp, TOTP with recovery codes) for the DG, the DG's office and administrators.
TWO_FACTOR_REQUIRED = env.bool("DJANGO_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="DGSN bilan")
TWO_FACTOR_RECOVERY_CODES = 10

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_AGE_HOURS after login.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE_HOURS", default=10) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS: on by default in production. The proxy's X-Forwarded-Proto/-For are believed only from the
# addresses in DJANGO_TRUSTED_PROXIES (core.middleware.TrustedProxyMiddleware drops them otherwise).
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

# Content Security Policy (django-csp): everything from this server, no inline script, no outside source.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Eager tasks would log a line per task into the web console; a real worker keeps its own log.
    "filters": {"database_unavailable": {"()": "core.middleware.DatabaseErrorLogFilter"}},
    "loggers": {
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        # While PostgreSQL restarts, one warning line per request answered 503, not a traceback.
        "django.request": {"filters": ["database_unavailable"]},
    },
}

# Spreadsheet imports (transfers): refused above these limits, with a clear message.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
# A job not done this long after it was queued is queued again (worker killed, queue lost), at most
# IMPORT_MAX_ATTEMPTS times, then failed with a message; more than the import tasks' 25-minute limit.
IMPORT_STUCK_AFTER_MINUTES = env.int("IMPORT_STUCK_AFTER_MINUTES", default=30)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
# Uploaded files (and their rows snapshot) are removed this long after the upload; the job stays.
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=180)

# Report parts: achievements and constraints per report, characters per text field (web and API).
REPORT_MAX_ITEMS = env.int("REPORT_MAX_ITEMS", default=200)
REPORT_MAX_TEXT_CHARS = env.int("REPORT_MAX_TEXT_CHARS", default=20_000)

# /health/ (core/health.py): beat is unhealthy when no periodic task ran for this long.
HEALTH_BEAT_MAX_AGE_MINUTES = env.int("HEALTH_BEAT_MAX_AGE_MINUTES", default=10)
