"""Settings for the fact-check desk, read from the environment (twelve-factor).

Without DATABASE_URL / CELERY_BROKER_URL the embedded defaults are used: SQLite and
Celery's filesystem transport, both under var/. Production runs with DEBUG=0, which turns
on secure cookies, HSTS and SSL redirects and requires a SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("FACTCHECK_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG=0) needs a long random SECRET_KEY in "
            "the environment; for local development set DEBUG=1."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "annotations",
]

MIDDLEWARE = [
    "annotations.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware: its 400 for NUL or lone surrogates is in the user's language.
    "annotations.storable.StorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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
                "annotations.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite under make run serves a web process and a worker at once: WAL and a busy
    # timeout keep the worker's writes from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule but Django's hook for "the password was changed" (set_password + save, by
    # any route): it revokes the user's API tokens, without a signal (annotations/auth.py).
    {"NAME": "annotations.auth.ApiTokensRevokedOnPasswordChange"},
]
# django-axes first: it refuses a locked-out username+address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "annotations:article-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The desk's time zone: a due date is a day here, whatever the browser's zone, and every
# time a person reads (pages, emails) is shown here. TIME_ZONE is the older name.
DESK_TIME_ZONE = env.str("DESK_TIME_ZONE", default=env.str("TIME_ZONE", default="Europe/Berlin"))
TIME_ZONE = DESK_TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "factcheck.storage.ModuleManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # annotate.js reads the token to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain http by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- REST API -------------------------------------------------------------------------------
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# Failed logins (the form and the token endpoint) per username *and* client address: the
# real user elsewhere, and colleagues behind the same address, keep logging in.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
# Seconds; each failure during a lockout starts the wait again.
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=900)
# Read at each attempt, so LOGIN_FAILURE_* stay the one place to set them.
AXES_FAILURE_LIMIT = "annotations.auth.login_failure_limit"
AXES_COOLOFF_TIME = "annotations.auth.login_failure_window"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# In PostgreSQL, so every gunicorn worker and host sees the same counts.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The address as DRF's throttles read it (NUM_PROXIES), never a forged X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "annotations.auth.client_address"
# Failures are kept for the window; successful logins are not logged by address.
AXES_DISABLE_ACCESS_LOG = True
# The login view and the token view answer a lockout themselves (429, translated); axes'
# middleware would not see the lockout flag on DRF's request anyway.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# API tokens (django-rest-knox): stored as SHA-512 digests, expire after this many hours.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=720)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous request answers 401 with WWW-Authenticate.
        "annotations.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["annotations.api.permissions.IsNewsroomMember"],
    # DRF's, refusing what PostgreSQL cannot store (NUL, lone surrogates) and deep nesting.
    "DEFAULT_PARSER_CLASSES": [
        "annotations.api.parsers.JSONParser",
        "annotations.api.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "annotations.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotations.api.errors.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
    # Proxies in front that append to X-Forwarded-For: the throttles then count the client
    # they saw. 0 (the default) counts REMOTE_ADDR and ignores the header, which a client
    # could otherwise set to anything.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("THROTTLE_TOKEN", default="20/min"),
        "import": env.str("THROTTLE_IMPORT", default="30/min"),
        # Evidence bundles (/api/v1/verdicts/{id}/bundle/): each reads its WARC files.
        "bundle": env.str("THROTTLE_BUNDLE", default="30/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fact-check desk API",
    "DESCRIPTION": "Articles, annotations, verdicts, source checks and exports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotations.api.schema.idempotency_header",
    ],
    # The schema and its viewer are for the desk, like the rest of the API.
    "SERVE_PERMISSIONS": ["annotations.api.permissions.IsNewsroomMember"],
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "annotations.models.Article.Status",
        "AnnotationStatusEnum": "annotations.models.Annotation.Status",
        "VerdictStatusEnum": "annotations.models.Verdict.Status",
        "SourceCheckStatusEnum": "annotations.models.SourceCheck.Status",
        "SuggestionStatusEnum": "annotations.models.Suggestion.Status",
        "ChangeKindEnum": "annotations.models.Change.Kind",
        "ClaimantKindEnum": "annotations.models.Claimant.Kind",
    },
}

# DRF's throttles count here. The default is a table in the database (created by migration
# annotations 0006), so every web process and host shares the counts with no new service;
# CACHE_URL=redis://… moves them to Redis. Django culls a third of the table past
# max_entries (300 by default), live counts included: room for every client of a minute.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="dbcache://factcheck_cache?max_entries=50000")
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# One connection attempt per publish: kombu otherwise retries a refused broker for
# broker_connection_timeout seconds, per message, inside the request that saved the row.
# Seconds to connect to the broker, and to wait for each of its answers. A web request
# that saved a write sends its jobs after commit: against a broker that accepts connections
# and never answers, this bounds the wait (the outbox keeps the job for the sweep), and
# /healthz answers "down" in time. There is no result backend, so no other connection.
FACTCHECK_BROKER_TIMEOUT = env.float("FACTCHECK_BROKER_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
    "max_retries": 0,
    "socket_connect_timeout": FACTCHECK_BROKER_TIMEOUT,
    "socket_timeout": FACTCHECK_BROKER_TIMEOUT,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    # Its exchange table; kombu's default is a `control/` folder in the working directory.
    _control_dir = VAR_DIR / "celery" / "control"
    # kombu's filesystem transport does not create its folders.
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hang a request: publishing gives up fast, the sweep
# sends the job later.
CELERY_BROKER_CONNECTION_TIMEOUT = FACTCHECK_BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The queue the web app sends to and workers consume (`make test` gives each run its own, so
# that two runs on one Redis never take each other's tasks).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# Seconds after which an unfinished job of any kind (a source check, an analysis, an email,
# an import) that nothing has happened to counts as lost, and the sweep sends it again. It
# must exceed every task's hard time limit, or the sweep would re-send jobs still running.
FACTCHECK_STALE_CHECK_SECONDS = env.int("FACTCHECK_STALE_CHECK_SECONDS", default=300)
FACTCHECK_SWEEP_INTERVAL_SECONDS = env.int("FACTCHECK_SWEEP_INTERVAL_SECONDS", default=60)
FACTCHECK_RECHECK_INTERVAL_SECONDS = env.int("FACTCHECK_RECHECK_INTERVAL_SECONDS", default=86400)

# The model that learns from the desk's decisions (issue 14): languages it is kept for, new
# decisions (spans made, suggestions accepted or dismissed) that make a training due, how
# often the beat looks (seconds), the examples a version needs before it is activated (the
# rules serve alone until then), and the probability from which it adds a suggestion.
FACTCHECK_MODEL_LANGUAGES = env.list("FACTCHECK_MODEL_LANGUAGES", default=["de", "en"])
FACTCHECK_MODEL_RETRAIN_AFTER = env.int("FACTCHECK_MODEL_RETRAIN_AFTER", default=50)
FACTCHECK_MODEL_CHECK_INTERVAL_SECONDS = env.int(
    "FACTCHECK_MODEL_CHECK_INTERVAL_SECONDS", default=900
)
FACTCHECK_MODEL_MIN_EXAMPLES = env.int("FACTCHECK_MODEL_MIN_EXAMPLES", default=100)
# Unset: each label's threshold as the model chose it on its held-out part.
FACTCHECK_MODEL_SUGGEST_AT = env("FACTCHECK_MODEL_SUGGEST_AT", cast=float, default=None)

# Outbound webhooks (services/webhooks.py), in seconds: the POST's connect timeout and its
# total time; the first retry's delay, doubled each time up to the cap (with jitter); how
# long a subscription may fail before it is disabled; when a worker's claim on a delivery
# counts as lost (above the total time); how often the beat starts what is due; how long
# the old secret still signs after a rotation.
FACTCHECK_WEBHOOK_CONNECT_TIMEOUT = env.float("FACTCHECK_WEBHOOK_CONNECT_TIMEOUT", default=3.0)
FACTCHECK_WEBHOOK_TIMEOUT = env.float("FACTCHECK_WEBHOOK_TIMEOUT", default=10.0)
FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS = env.float(
    "FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS", default=5.0
)
FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS = env.float(
    "FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS", default=3600.0
)
FACTCHECK_WEBHOOK_GIVE_UP_SECONDS = env.int("FACTCHECK_WEBHOOK_GIVE_UP_SECONDS", default=86400)
FACTCHECK_WEBHOOK_CLAIM_SECONDS = env.float("FACTCHECK_WEBHOOK_CLAIM_SECONDS", default=60.0)
FACTCHECK_WEBHOOK_TICK_SECONDS = env.float("FACTCHECK_WEBHOOK_TICK_SECONDS", default=5.0)
FACTCHECK_WEBHOOK_ROTATION_GRACE_SECONDS = env.int(
    "FACTCHECK_WEBHOOK_ROTATION_GRACE_SECONDS", default=86400
)

CELERY_BEAT_SCHEDULE = {
    "webhooks-tick": {
        "task": "annotations.webhooks_tick",
        "schedule": FACTCHECK_WEBHOOK_TICK_SECONDS,
    },
    "sweep-stale-checks": {
        "task": "annotations.sweep_stale_checks",
        "schedule": FACTCHECK_SWEEP_INTERVAL_SECONDS,
    },
    "recheck-evidence": {
        "task": "annotations.recheck_evidence",
        "schedule": FACTCHECK_RECHECK_INTERVAL_SECONDS,
    },
    # The model that learns from the desk (services/learning.py): a language is trained
    # again after FACTCHECK_MODEL_RETRAIN_AFTER new decisions, and nightly after any.
    "train-suggestion-models-due": {
        "task": "annotations.train_suggestion_models_due",
        "schedule": FACTCHECK_MODEL_CHECK_INTERVAL_SECONDS,
    },
    "train-suggestion-models-nightly": {
        "task": "annotations.train_suggestion_models_due",
        "schedule": crontab(hour=3, minute=30),
        "kwargs": {"nightly": True},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Fact-check desk ------------------------------------------------------------------------
FACTCHECK_ORG_NAME = env.str("FACTCHECK_ORG_NAME", default="Fact-check desk")
# The German name, where the desk's name differs in German reports and ClaimReviews; unset,
# the default name is translated and a name of your own is used as it is.
FACTCHECK_ORG_NAME_DE = env.str("FACTCHECK_ORG_NAME_DE", default="")
FACTCHECK_ORG_URL = env.str("FACTCHECK_ORG_URL", default="")
FACTCHECK_MAX_ARTICLE_CHARS = env.int("FACTCHECK_MAX_ARTICLE_CHARS", default=500_000)
FACTCHECK_MAX_REQUEST_BYTES = env.int("FACTCHECK_MAX_REQUEST_BYTES", default=2_500_000)
# Django's own limits agree with ours, so a multipart upload is refused the same way.
DATA_UPLOAD_MAX_MEMORY_SIZE = FACTCHECK_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = FACTCHECK_MAX_REQUEST_BYTES
FETCH_ALLOW_HOSTS = env.list("FETCH_ALLOW_HOSTS", default=[])

# Web Annotation Protocol server (/wap/articles/{id}/): annotations per container page, and
# the browser origins (scheme://host[:port], comma-separated) that may call it across sites.
# Empty: no CORS headers at all, so only same-origin pages and non-browser clients use it.
WAP_PAGE_SIZE = env.int("WAP_PAGE_SIZE", default=100)
WAP_CORS_ORIGINS = env.list("WAP_CORS_ORIGINS", default=[])
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", default=5 * 1024 * 1024)
# Seconds: to connect, per wait for data, and for a whole fetch including redirects.
FETCH_CONNECT_TIMEOUT = env.float("FETCH_CONNECT_TIMEOUT", default=5.0)
FETCH_READ_TIMEOUT = env.float("FETCH_READ_TIMEOUT", default=10.0)
FETCH_TOTAL_TIMEOUT = env.float("FETCH_TOTAL_TIMEOUT", default=30.0)
# Seconds before the first retry of a fetch after a transport error; doubled each time.
FACTCHECK_RETRY_BACKOFF_SECONDS = env.float("FACTCHECK_RETRY_BACKOFF_SECONDS", default=2.0)

# --- Archive of fetched sources -------------------------------------------------------------
# Every page a source check fetches is kept as a WARC file (at most FETCH_MAX_BYTES of body)
# in the storage named "archive": files under ARCHIVE_DIR, or an S3-compatible bucket
# through django-storages and boto3 (both in requirements.txt). See the README.
ARCHIVE_STORAGE = env.str("ARCHIVE_STORAGE", default="filesystem")
ARCHIVE_DIR = Path(env.str("ARCHIVE_DIR", default=str(VAR_DIR / "archive")))
if ARCHIVE_STORAGE == "filesystem":
    STORAGES["archive"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url: the files are never served as they are, only through our views.
        "OPTIONS": {"location": str(ARCHIVE_DIR), "file_permissions_mode": 0o640},
    }
elif ARCHIVE_STORAGE == "s3":
    STORAGES["archive"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ARCHIVE_S3_BUCKET"),
            "location": env.str("ARCHIVE_S3_PREFIX", default="archive"),
            "endpoint_url": env.str("ARCHIVE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ARCHIVE_S3_REGION", default="") or None,
            "access_key": env.str("ARCHIVE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ARCHIVE_S3_SECRET_ACCESS_KEY", default="") or None,
            # No ACL sent: objects are private by default, and a bucket with ACLs disabled
            # (AWS's default since 2023) refuses every upload that names one but
            # bucket-owner-full-control. A file of the same name is never overwritten.
            "default_acl": None,
            "file_overwrite": False,
            # Never a public URL: the files are served only through our views.
            "custom_domain": None,
            # The bytes as written: with the Content-Encoding: gzip that django-storages
            # guesses from .gz, a store or client may hand back the file decompressed.
            "object_parameters": {"ContentType": "application/gzip"},
        },
    }
else:
    raise ImproperlyConfigured(
        f"ARCHIVE_STORAGE is {ARCHIVE_STORAGE!r}; it must be 'filesystem' or 's3'."
    )

# --- Evidence bundles ------------------------------------------------------------------------
# The Ed25519 key that signs every verdict's evidence bundle: the base64 of its raw 32 bytes
# (`python -m annotations.bundle new-key`). Every web host must have the same key, or a
# bundle's signature depends on the host that built it. Unset, a key is made once and kept
# in BUNDLE_SIGNING_KEY_FILE (mode 0600): enough for a single-host install.
BUNDLE_SIGNING_KEY = env.str("BUNDLE_SIGNING_KEY", default="")
BUNDLE_SIGNING_KEY_FILE = Path(
    env.str("BUNDLE_SIGNING_KEY_FILE", default=str(VAR_DIR / "bundle-signing.key"))
)
if BUNDLE_SIGNING_KEY:
    import base64
    import binascii

    try:
        _bundle_key_length = len(base64.b64decode(BUNDLE_SIGNING_KEY.strip(), validate=True))
    except (binascii.Error, ValueError):
        _bundle_key_length = -1
    if _bundle_key_length != 32:
        raise ImproperlyConfigured(
            "BUNDLE_SIGNING_KEY must be the base64 of a raw 32-byte Ed25519 private key; "
            "make one with `python -m annotations.bundle new-key`."
        )

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="factcheck@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes tells of every login at INFO; its WARNINGs (failures, lockouts) remain.
    "loggers": {"axes": {"level": "WARNING"}},
}
