"""Translate one REDIS_URL into the spellings each Redis client wants.

Operators set a single ``REDIS_URL`` (``redis://``, ``rediss://`` or
``unix:///path/to.sock``); Celery/kombu spell unix sockets ``redis+socket://``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit


def short_socket_path(directory: Path, name: str) -> Path:
    """Unix socket paths are limited to ~107 bytes; deep checkouts fall back to the temp dir,
    under a name derived from the directory so every process finds the same one."""
    candidate = directory / name
    if len(str(candidate)) < 100:
        return candidate
    digest = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"dinari-{os.getuid()}-{digest}-{name}"


def embedded_socket_path(var_dir: Path) -> Path:
    """Where the embedded Redis of the run command listens (dev.py and settings agree)."""
    return short_socket_path(var_dir / "redis", "redis.sock")


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
