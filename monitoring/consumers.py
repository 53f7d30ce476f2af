from __future__ import annotations

from core.consumers import StreamConsumer
from monitoring.services import NODES_STREAM


class NodesConsumer(StreamConsumer):
    """Live node snapshots for the dashboard (viewer role and up)."""

    async def streams(self) -> list[str] | None:
        return [NODES_STREAM]
