"""Poll every node concurrently; one slow or broken node never holds up the rest."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from integrations.node_client import NodeAddress, NodeCapabilityMissing, NodeClient, NodeError

METRIC_FIELDS: dict[str, str] = {
    "peer_count": "dinari_p2p_connected_peers",
    "orphan_blocks": "dinari_blockchain_orphan_blocks",
    "blocks_processed": "dinari_blockchain_blocks_processed_total",
    "blocks_rejected": "dinari_blockchain_blocks_rejected_total",
    "txs_accepted": "dinari_mempool_transactions_accepted_total",
    "txs_rejected": "dinari_mempool_transactions_rejected_total",
    "rate_limit_hits": "dinari_api_rate_limit_hits_total",
    "banned_peers": "dinari_p2p_banned_peers",
    "database_size_bytes": "dinari_database_size_bytes",
}


BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
INT32_FIELDS = {"peer_count", "banned_peers"}
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z, the largest datetime Python holds


@dataclass
class PollTarget:
    node_id: int
    address: NodeAddress | None
    setup_error: str = ""  # e.g. a credential that cannot be resolved


@dataclass
class PollResult:
    node_id: int
    taken_at: datetime
    reachable: bool
    error: str = ""
    rate_limited: bool = False
    response_ms: int | None = None
    values: dict[str, Any] = field(default_factory=dict)


async def poll_node(client: NodeClient) -> dict[str, Any]:
    stats, metrics = await asyncio.gather(client.rpc("chain_getStats"), _optional_metrics(client))
    if not isinstance(stats, dict) or _bounded(stats.get("height"), BIGINT_MAX) is None:
        raise NodeError("chain_getStats: answer has no valid height")
    height: int = stats["height"]
    values: dict[str, Any] = {
        "height": height,
        "tip_hash": "".join(ch for ch in str(stats.get("tipHash", ""))[:80] if ch.isprintable()),
        "mempool_size": _bounded(stats.get("mempoolSize"), INT_MAX),
        "mining_active": stats.get("miningActive") if isinstance(stats.get("miningActive"), bool) else None,
    }
    block = await client.rpc("chain_getBlock", {"height": height})
    timestamp = block.get("timestamp") if isinstance(block, dict) else None
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool) and 0 <= timestamp < MAX_TIMESTAMP:
        values["latest_block_time"] = datetime.fromtimestamp(timestamp, tz=UTC)
    for name, metric in METRIC_FIELDS.items():
        value = metrics.get(metric)
        if value is not None and math.isfinite(value):
            values[name] = _bounded(int(value), INT_MAX if name in INT32_FIELDS else BIGINT_MAX)
    if values.get("peer_count") is None:
        try:
            peers = await client.peers()
            values["peer_count"] = _bounded(peers.get("peer_count"), INT_MAX)
        except NodeCapabilityMissing:
            pass
    return values


async def _optional_metrics(client: NodeClient) -> dict[str, float]:
    try:
        return await client.metrics()
    except NodeCapabilityMissing:
        return {}


def _bounded(value: Any, upper: int) -> int | None:
    """An integer that fits its database column, else None (a node's nonsense is not stored)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= upper:
        return value
    return None


async def _poll_one(target: PollTarget, http: httpx.AsyncClient, timeout: float) -> PollResult:
    taken_at = datetime.now(tz=UTC)
    if target.address is None:
        return PollResult(target.node_id, taken_at, reachable=False, error=target.setup_error)
    started = time.perf_counter()
    client = NodeClient(target.address, http, timeout=timeout)
    try:
        # The whole poll of one node is bounded, not only each request.
        values = await asyncio.wait_for(poll_node(client), timeout=timeout * 2)
    except TimeoutError:
        return PollResult(target.node_id, taken_at, reachable=False, error=f"poll timed out after {timeout * 2:g}s")
    except NodeError as exc:
        return PollResult(target.node_id, taken_at, reachable=False, error=exc.reason, rate_limited=exc.rate_limited)
    except Exception as exc:  # whatever one node does, the round goes on; the reason is recorded
        reason = f"unexpected answer: {exc.__class__.__name__}: {exc}"[:300]
        return PollResult(target.node_id, taken_at, reachable=False, error=reason)
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    return PollResult(target.node_id, taken_at, reachable=True, response_ms=elapsed_ms, values=values)


async def poll_targets(targets: list[PollTarget], *, timeout: float) -> list[PollResult]:
    # Each node takes up to two requests at once; never let the pool queue one node behind another.
    limits = httpx.Limits(max_connections=max(20, 2 * len(targets)), max_keepalive_connections=len(targets))
    async with httpx.AsyncClient(limits=limits, follow_redirects=False) as http:
        return list(await asyncio.gather(*(_poll_one(t, http, timeout) for t in targets)))
