"""Translate one REDIS_URL into the spellings each Redis client wants.

Operators set a single ``REDIS_URL`` (``redis://``, ``rediss://`` or
``unix:///path/to.sock``); Celery/kombu spell unix sockets ``redis+socket://``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit


def default_socket_path(base_dir: Path) -> Path:
    """Where the embedded Redis of the run command listens."""
    return base_dir / "var" / "redis" / "redis.sock"


def celery_url(redis_url: str) -> str:
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        query = f"?{parts.query}" if parts.query else ""
        return f"redis+socket://{parts.path}{query}"
    return redis_url


def redacted(redis_url: str) -> str:
    """The URL with any password replaced, for logs and the readiness probe."""
    parts = urlsplit(redis_url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return redis_url
