"""A Redis lock that lets only one worker run a periodic job at a time."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from redis.exceptions import LockError

from core.realtime import redis_client

logger = logging.getLogger(__name__)


@contextmanager
def single_flight(name: str, *, ttl_seconds: float) -> Iterator[bool]:
    """Yields True when this caller holds the lock, False when another does.

    redis-py's Lock releases with a compare-and-delete script, so a holder whose
    lock expired can never delete the next holder's lock.
    """
    lock = redis_client().lock(f"{settings.REDIS_KEY_PREFIX}:lock:{name}", timeout=ttl_seconds, blocking=False)
    acquired = bool(lock.acquire())
    try:
        yield acquired
    finally:
        if acquired:
            try:
                lock.release()
            except LockError:  # expired while we worked; someone else may hold it now
                logger.warning("lock %s expired before its job finished (ttl %ss)", name, ttl_seconds)
