"""Wiring: node + HTTP servers + mining and sync threads + signals + ready line."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from types import FrameType

from devnet.auth import Authenticator, RateLimiter
from devnet.metrics import make_metrics_handler, render
from devnet.node import Node, NodeConfig
from devnet.p2p import PeerManager
from devnet.rpc import RpcApi, make_handler
from devnet.storage import StorageError

log = logging.getLogger("devnet")


def public_host(host: str) -> str:
    """The host to advertise: a wildcard bind is reachable on loopback."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


class App:
    def __init__(self, cfg: NodeConfig) -> None:
        self.cfg = cfg
        self.node = Node(cfg)
        self.auth = Authenticator(cfg.api_key, cfg.jwt_secret)
        limiter = RateLimiter(cfg.rate_limit, cfg.rate_burst) if cfg.rate_limit else None
        self.peers = PeerManager(self.node, self.auth)
        self.api = RpcApi(self.node, self.peers, self.auth, limiter)
        self.rpc_server: ThreadingHTTPServer | None = None
        self.metrics_server: ThreadingHTTPServer | None = None
        self.threads: list[threading.Thread] = []

    def collect_metrics(self) -> str:
        node = self.node
        peers = self.peers.summary()
        with node.lock:
            gauges = [
                ("dinari_blockchain_height", "Height of the best chain.", float(node.height)),
                ("dinari_blockchain_orphan_blocks", "Blocks of ours replaced by reorganisations.", float(node.orphans)),
                ("dinari_mining_active", "1 when this node is mining.", 1.0 if node.mining_running() else 0.0),
                ("dinari_mining_hashrate", "Hashes per second over the last minute.", node.hashrate()),
                ("dinari_mempool_size", "Pending transactions.", float(len(node.mempool))),
                ("dinari_mempool_bytes", "Bytes of pending transactions.", float(node.mempool.bytes())),
            ]
        gauges += [
            ("dinari_p2p_connected_peers", "Distinct peers heard from recently.", float(peers["peer_count"])),
            ("dinari_p2p_inbound_peers", "Peers that called us recently.", float(peers["inbound"])),
            ("dinari_p2p_outbound_peers", "Peers we reached recently.", float(peers["outbound"])),
            ("dinari_p2p_banned_peers", "Peers banned for serving invalid blocks.", float(peers["banned"])),
            ("dinari_database_size_bytes", "Bytes used by the datadir.", float(node.storage.size_bytes())),
            ("dinari_node_corrupted", "1 when the stored chain failed verification.", 1.0 if node.corruption else 0.0),
        ]
        return render(node.metrics, gauges)

    def start(self) -> dict[str, object]:
        self.node.open()
        rpc = ThreadingHTTPServer((self.cfg.rpc_host, self.cfg.rpc_port), make_handler(self.api))
        metrics_handler = make_metrics_handler(self.collect_metrics)
        metrics = ThreadingHTTPServer((self.cfg.rpc_host, self.cfg.metrics_port), metrics_handler)
        rpc.daemon_threads = metrics.daemon_threads = True
        self.rpc_server, self.metrics_server = rpc, metrics
        host = public_host(self.cfg.rpc_host)
        rpc_url = f"http://{host}:{rpc.server_address[1]}"
        self.peers.self_url = rpc_url
        targets: list[tuple[str, Callable[[], object]]] = [
            ("rpc", lambda: rpc.serve_forever(poll_interval=0.1)),  # short poll: quick, clean stop
            ("metrics", lambda: metrics.serve_forever(poll_interval=0.1)),
            ("sync", self.peers.run),
        ]
        if self.cfg.mine:
            targets.append(("miner", self.node.mining_loop))
        for name, target in targets:
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self.threads.append(t)
        return {
            "event": "ready",
            "name": self.cfg.name,
            "rpc_url": rpc_url,
            "metrics_url": f"http://{host}:{metrics.server_address[1]}/metrics",
            "height": self.node.height,
            "pid": os.getpid(),
        }

    def stop(self) -> None:
        self.node.stop_event.set()
        for server in (self.rpc_server, self.metrics_server):
            if server is not None:
                server.shutdown()
                server.server_close()
        for t in self.threads:
            t.join(timeout=5)
        with self.node.lock:  # no block write can be in flight once we hold the lock
            self.node.storage.mark_clean()
        log.info("stopped cleanly at height %d", self.node.height)


def run(cfg: NodeConfig) -> int:
    app = App(cfg)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        ready = app.start()
    except (OSError, ValueError, StorageError) as exc:
        log.error("cannot start: %s", exc)
        return 2
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    log.info("node %s ready at %s (height %d)", cfg.name, ready["rpc_url"], app.node.height)
    while not stop.wait(0.1):
        pass
    app.stop()
    return 0
