"""A Redis lock that lets only one worker run a periodic job at a time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from core.realtime import redis_client


@contextmanager
def single_flight(name: str, *, ttl_seconds: float) -> Iterator[bool]:
    """Yields True when this caller holds the lock, False when another does."""
    key = f"{settings.REDIS_KEY_PREFIX}:lock:{name}"
    token = uuid.uuid4().hex
    client = redis_client()
    acquired = bool(client.set(key, token, nx=True, px=int(ttl_seconds * 1000)))
    try:
        yield acquired
    finally:
        if acquired and client.get(key) == token.encode():
            client.delete(key)
