"""Broadcast typed events to browsers, after the transaction commits.

Every event names its stream and carries a per-stream sequence number, so a
client that notices a gap (the Redis channel layer drops messages past its
capacity) knows to fetch what it missed from the database.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, TypedDict

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


class StreamEvent(TypedDict):
    stream: str
    kind: str
    seq: int
    data: dict[str, Any]


def group_name(stream: str) -> str:
    """Channels group names allow only [A-Za-z0-9._-]."""
    return "stream." + "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in stream)[:90]


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def next_sequence(stream: str) -> int:
    """A per-stream counter shared by every process (web, workers)."""
    return int(redis_client().incr(f"{settings.REDIS_KEY_PREFIX}:seq:{stream}"))


def publish(stream: str, kind: str, data: dict[str, Any], *, seq: int | None = None) -> None:
    """Send now. A broadcast that fails is logged, never raised: the data is in the DB
    and clients re-read it when they see the gap in sequence numbers."""
    try:
        event = StreamEvent(stream=stream, kind=kind, seq=seq if seq is not None else next_sequence(stream), data=data)
        layer = get_channel_layer()
        if layer is None:
            return
        message = {"type": "stream.event", "event": event}
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            async_to_sync(layer.group_send)(group_name(stream), message)
        else:
            # Called from code already inside an event loop (a consumer, a browser test's thread).
            _pending.add(task := loop.create_task(layer.group_send(group_name(stream), message)))
            task.add_done_callback(_pending.discard)
    except Exception as exc:  # a broadcast must never undo or interrupt the work that triggered it
        logger.warning("could not broadcast %s on %s: %s: %s", kind, stream, exc.__class__.__name__, exc)


_pending: set[asyncio.Task[None]] = set()


def broadcast_on_commit(stream: str, kind: str, data: dict[str, Any], *, seq: int | None = None) -> None:
    """Publish once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publish(stream, kind, data, seq=seq), robust=True)
