"""Django settings for the Dinari Ops Console, read from the environment.

Every value has a safe development default except secrets, which must be
given whenever DEBUG is off (production refuses to start without them).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dinari_console.redis_urls import celery_url, embedded_socket_path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DINARI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Off unless asked for: a deployment that forgets DEBUG must not run with it. dev.py up turns it on.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    "core",
    "monitoring",
    "incidents",
    "backups",
    "maintenance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.ConsoleLoginRequiredMiddleware",
    "core.middleware.ConsoleErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dinari_console.urls"
WSGI_APPLICATION = "dinari_console.wsgi.application"
ASGI_APPLICATION = "dinari_console.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the default SQLite file lives there
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, worker and beat read while one of them writes; IMMEDIATE makes
    # concurrent writers wait their turn (up to the timeout) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In DEBUG, whitenoise serves straight from the app/static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Redis: Celery broker + results, channel layer -------------------------
REDIS_URL = os.environ.get("REDIS_URL") or f"unix://{embedded_socket_path(VAR_DIR)}"
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "dinari")

CELERY_BROKER_URL = celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = celery_url(REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "dinari")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": f"{REDIS_KEY_PREFIX}:asgi",
            "capacity": 1000,
            "expiry": 30,
        },
    }
}

# Create the current period's checklists as soon as a worker starts (not only on beat's 15-min tick).
CHECKLISTS_ON_WORKER_START = env_bool("CHECKLISTS_ON_WORKER_START", True)

# --- Node polling -----------------------------------------------------------
NODE_POLL_INTERVAL_SECONDS = float(os.environ.get("NODE_POLL_INTERVAL_SECONDS", "5"))
NODE_POLL_TIMEOUT_SECONDS = float(os.environ.get("NODE_POLL_TIMEOUT_SECONDS", "3"))
NODE_SAMPLE_RETENTION_DAYS = int(os.environ.get("NODE_SAMPLE_RETENTION_DAYS", "30"))

# Node credentials: only these environment variables and this folder may be referenced.
NODE_CREDENTIAL_ENV_PREFIX = os.environ.get("NODE_CREDENTIAL_ENV_PREFIX", "DINARI_NODE_")
NODE_SECRETS_DIR = Path(os.environ.get("NODE_SECRETS_DIR", "/run/secrets/dinari"))

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dinari-console@localhost")

# --- Incidents: paging chain (playbook) and outgoing webhook -----------------
INCIDENT_PRIMARY_EMAIL = os.environ.get("INCIDENT_PRIMARY_EMAIL", "blockchain-oncall@dinari.network")
INCIDENT_SECONDARY_EMAIL = os.environ.get("INCIDENT_SECONDARY_EMAIL", "security-team@dinari.network")
INCIDENT_ESCALATION_EMAIL = os.environ.get("INCIDENT_ESCALATION_EMAIL", "cto@dinari.network")
INCIDENT_WEBHOOK_URL = os.environ.get("INCIDENT_WEBHOOK_URL", "")  # Slack-compatible; empty = no webhook
INCIDENT_WEBHOOK_SECRET = os.environ.get("INCIDENT_WEBHOOK_SECRET", "")  # HMAC key; never logged
INCIDENT_EMAIL_MAX_RETRIES = int(os.environ.get("INCIDENT_EMAIL_MAX_RETRIES", "3"))
INCIDENT_WEBHOOK_MAX_RETRIES = int(os.environ.get("INCIDENT_WEBHOOK_MAX_RETRIES", "5"))
INCIDENT_WEBHOOK_BACKOFF_SECONDS = float(os.environ.get("INCIDENT_WEBHOOK_BACKOFF_SECONDS", "30"))
INCIDENT_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("INCIDENT_WEBHOOK_TIMEOUT_SECONDS", "5"))
if INCIDENT_WEBHOOK_URL and not INCIDENT_WEBHOOK_SECRET and not DEBUG:
    raise ImproperlyConfigured("INCIDENT_WEBHOOK_SECRET must be set when INCIDENT_WEBHOOK_URL is (DEBUG off).")

# --- Backup storage (S3 or compatible) ---------------------------------------
BACKUP_STORAGE = os.environ.get("BACKUP_STORAGE", "local")  # "local" or "s3"
BACKUP_LOCAL_DIR = Path(os.environ.get("BACKUP_LOCAL_DIR", VAR_DIR / "backups"))
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_REGION = os.environ.get("S3_REGION", "us-east-1")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
# Credentials come from boto3's own chain (env, profile, instance role); never stored here.

# --- Cluster (where the nodes run) ------------------------------------------
CLUSTER_BACKEND = os.environ.get("CLUSTER_BACKEND", "local")  # "local" or "kubernetes"
KUBERNETES_NAMESPACE = os.environ.get("KUBERNETES_NAMESPACE", "dinari-production")
KUBERNETES_WORKLOAD = os.environ.get("KUBERNETES_WORKLOAD", "deployment/dinari-node")
KUBERNETES_IN_CLUSTER = env_bool("KUBERNETES_IN_CLUSTER", False)
KUBECONFIG = os.environ.get("KUBECONFIG", "")

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.IsViewer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "core.api.exceptions.console_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dinari Ops Console API",
    "DESCRIPTION": "Incidents, runbooks, monitoring, backups and maintenance for the Dinari chain.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.permissions.IsViewer"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: the console must work without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
