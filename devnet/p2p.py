"""Peer sync over the peers' JSON-RPC: poll heights, fetch blocks, adopt the best chain.

Peers are other devnet nodes' RPC URLs. Each request carries `X-Dinari-Peer`
(our name) and `X-Dinari-Peer-Url` so the peer can count us as inbound; the
peer's answer carries `X-Dinari-Node` so we can de-duplicate a peer seen in
both directions.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from devnet.chain import Block

if TYPE_CHECKING:
    from devnet.auth import Authenticator
    from devnet.node import Node

log = logging.getLogger("devnet.p2p")
PEER_TTL_S = 10.0  # a peer not heard from for this long no longer counts as connected
BAN_S = 60.0
REQUEST_TIMEOUT_S = 2.0


class PeerError(Exception):
    pass


def rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Peer:
    key: str
    name: str | None = None
    url: str | None = None
    height: int | None = None
    outbound_seen: float = 0.0
    inbound_seen: float = 0.0
    banned_until: float = 0.0


class PeerManager:
    def __init__(self, node: Node, auth: Authenticator, self_url: str = "") -> None:
        self.node = node
        self.auth = auth
        self.self_url = self_url
        self.urls = list(node.cfg.peers)
        self._peers: dict[str, Peer] = {}
        self._url_names: dict[str, str] = {}  # configured URL -> name the peer told us
        self._lock = threading.Lock()

    # ----- bookkeeping ---------------------------------------------------------
    def _peer(self, name: str | None, url: str | None) -> Peer:
        key = name or url or "?"
        peer = self._peers.get(key)
        if peer is None:
            peer = self._peers[key] = Peer(key=key)
        peer.name = name or peer.name
        peer.url = url or peer.url
        return peer

    def note_inbound(self, name: str, url: str | None, height: int | None) -> None:
        if name == self.node.cfg.name:
            return
        with self._lock:
            peer = self._peer(name, url)
            peer.inbound_seen = time.time()
            if height is not None:
                peer.height = height

    def _note_outbound(self, url: str, name: str | None, height: int) -> None:
        with self._lock:
            if name:
                self._url_names[url] = name
            peer = self._peer(name, url)
            peer.outbound_seen = time.time()
            peer.height = height

    def _is_banned(self, url: str) -> bool:
        with self._lock:
            peer = self._peers.get(self._url_names.get(url, url))
            return peer is not None and peer.banned_until > time.time()

    def _ban(self, url: str) -> None:
        with self._lock:
            peer = self._peer(self._url_names.get(url), url)
            peer.banned_until = time.time() + BAN_S
            peer.outbound_seen = peer.inbound_seen = 0.0

    def clear(self) -> None:
        with self._lock:
            self._peers.clear()

    def summary(self) -> dict[str, Any]:
        now = time.time()
        with self._lock:
            live = []
            banned = 0
            for p in self._peers.values():
                if p.banned_until > now:
                    banned += 1
                    continue
                out_ok = now - p.outbound_seen <= PEER_TTL_S
                in_ok = now - p.inbound_seen <= PEER_TTL_S
                if out_ok or in_ok:
                    live.append((p, out_ok, in_ok))
        peers = [
            {
                "name": p.name,
                "url": p.url,
                "height": p.height,
                "last_seen": rfc3339(max(p.outbound_seen, p.inbound_seen)),
                "inbound": in_ok,
                "outbound": out_ok,
            }
            for p, out_ok, in_ok in sorted(live, key=lambda x: x[0].key)
        ]
        return {
            "peer_count": len(peers),
            "inbound": sum(1 for p in peers if p["inbound"]),
            "outbound": sum(1 for p in peers if p["outbound"]),
            "banned": banned,
            "peers": peers,
        }

    # ----- client ------------------------------------------------------------
    def call(self, url: str, method: str, params: dict[str, Any]) -> tuple[Any, str | None]:
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Dinari-Peer": self.node.cfg.name,
            "X-Dinari-Peer-Url": self.self_url,
            "X-Dinari-Peer-Height": str(self.node.height),
        }
        auth = self.auth.outgoing_header()
        if auth:
            headers["Authorization"] = auth
        if not url.startswith(("http://", "https://")):
            raise PeerError(f"{url}: only http(s) peers are supported")
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:  # noqa: S310 - scheme checked above
                payload = json.loads(resp.read())
                name = resp.headers.get("X-Dinari-Node")
        except (OSError, ValueError) as exc:
            raise PeerError(f"{url}: {exc}") from exc
        if not isinstance(payload, dict) or "error" in payload or "result" not in payload:
            raise PeerError(f"{url}: {method} failed: {payload!r:.200}")
        return payload["result"], name

    def _get_block(self, url: str, height: int) -> Block:
        result, _ = self.call(url, "chain_getBlock", {"height": height})
        if not isinstance(result, dict):
            raise PeerError(f"{url}: chain_getBlock returned {type(result).__name__}")
        return result

    # ----- sync ----------------------------------------------------------------
    def sync_with(self, url: str) -> None:
        result, name = self.call(url, "chain_getHeight", {})
        if name == self.node.cfg.name:
            return  # configured ourselves as a peer
        height = result.get("height") if isinstance(result, dict) else None
        if not isinstance(height, int):
            raise PeerError(f"{url}: bad chain_getHeight result")
        self._note_outbound(url, name, height)
        node = self.node
        with node.lock:
            our_height, our_tip = node.height, node.tip["hash"]
        if height < our_height:
            return
        fetched: dict[int, Block] = {}
        if height == our_height:
            fetched[height] = self._get_block(url, height)
            if fetched[height]["hash"] >= our_tip:
                return  # tie-break: the lower tip hash wins
        # Walk back until the peer's block matches ours: that is the fork point.
        h = min(height, our_height)
        while True:
            block = fetched.get(h) or self._get_block(url, h)
            fetched[h] = block
            with node.lock:
                ours = node.blocks[h]["hash"] if h <= node.height else None
            if ours == block.get("hash"):
                break
            if h == 0:
                log.warning("peer %s is on another genesis; banning", url)
                node.metrics.blocks_rejected.inc()
                self._ban(url)
                return
            h -= 1
        fork = h
        new_blocks = [fetched.get(x) or self._get_block(url, x) for x in range(fork + 1, height + 1)]
        outcome = node.offer_chain(fork, new_blocks)
        if outcome == "invalid":
            self._ban(url)
        elif outcome == "adopted":
            log.info("synced from %s to height %d", url, height)

    def run(self) -> None:
        interval = min(1.0, self.node.cfg.block_interval)
        while not self.node.stop_event.wait(interval):
            if "drop_peers" in self.node.faults:
                self.clear()
                continue
            if self.node.corruption is not None:
                continue  # never write over a corrupt datadir; the operator must restore
            for url in self.urls:
                if self._is_banned(url):
                    continue
                try:
                    self.sync_with(url)
                except PeerError as exc:
                    log.debug("peer unreachable: %s", exc)
                except Exception:  # a bad peer must not kill the sync thread
                    log.exception("sync with %s failed", url)
