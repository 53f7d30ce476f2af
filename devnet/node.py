"""The node: in-memory chain over Storage, mempool, mining loop, faults."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO, Any

from devnet import chain
from devnet.chain import Block, ChainError, State, Tx
from devnet.errors import INVALID_PARAMS, SERVER_ERROR, RpcError
from devnet.mempool import MAX_MEMPOOL_TXS, Mempool
from devnet.metrics import NodeMetrics
from devnet.storage import Storage, verify_datadir

log = logging.getLogger("devnet.node")
SNAPSHOT_EVERY = 64  # keep a state copy every N heights so reorgs replay little
KNOWN_FAULTS = ("stop_blocks", "corrupt_data", "drop_peers", "clear")


@dataclass
class NodeConfig:
    name: str
    datadir: str
    network: str = "devnet"
    rpc_host: str = "127.0.0.1"
    rpc_port: int = 8545
    metrics_port: int = 9090
    block_interval: float = 15.0
    mine: bool = True
    peers: list[str] = field(default_factory=list)
    api_key: str | None = None
    jwt_secret: str | None = None
    rate_limit: float | None = None
    rate_burst: int = 20
    checkpoint_interval: int = 1000
    max_txs_per_block: int = 500


class Node:
    def __init__(self, cfg: NodeConfig) -> None:
        self.cfg = cfg
        self.lock = threading.RLock()
        self.stop_event = threading.Event()
        self.storage = Storage(cfg.datadir)
        self.metrics = NodeMetrics()
        self.mempool = Mempool()
        self.blocks: list[Block] = []
        self.state: State = chain.genesis_state()
        self.snapshots: dict[int, State] = {}
        self.tx_index: dict[str, int] = {}
        self.corruption: str | None = None
        self.faults: set[str] = set()
        self.circuit_open = False
        self.orphans = 0
        self.started = time.monotonic()
        self.mined_log: deque[tuple[float, int]] = deque(maxlen=1000)
        self.miner_address = f"dinari:{cfg.name}"
        self.unclean_start = False
        self.wal_replayed = 0
        self._lock_handle: IO[bytes] | None = None

    # ----- startup -----------------------------------------------------------
    def open(self) -> None:
        """Load and verify the datadir; a corrupt chain puts the node in `corrupted` state."""
        store = self.storage
        self._lock_handle = store.lock()
        if store.exists() and store.network() != self.cfg.network:
            raise ValueError(f"datadir belongs to network {store.network()!r}, not {self.cfg.network!r}")
        existed = store.exists()
        store.init(self.cfg.network)
        unclean = store.begin_run()
        self.unclean_start = unclean and existed  # a fresh datadir has no marker yet
        self.wal_replayed = store.replay_wal()
        if self.unclean_start:
            log.warning("previous run did not shut down cleanly; WAL records replayed: %d", self.wal_replayed)
        blocks, bad, reason, _tip = store.read_blocks()
        result = chain.replay(blocks, self.cfg.network)
        if result.first_bad_height is not None:
            bad, reason = result.first_bad_height, result.reason
        good = blocks[: result.good]
        if not good:
            good = [chain.genesis_block(self.cfg.network)]
        with self.lock:
            self._reset_chain(good)
            if bad is not None:
                self._mark_corrupted(f"stored chain is corrupt at height {bad}: {reason}")

    def _reset_chain(self, blocks: list[Block]) -> None:
        self.blocks = list(blocks)
        self.snapshots = {}
        state = chain.genesis_state()
        self.snapshots[0] = state
        for block in self.blocks[1:]:
            state = chain.apply_block(state, block)
            if block["height"] % SNAPSHOT_EVERY == 0:
                self.snapshots[block["height"]] = state
        self.state = state
        self.tx_index = {tx["hash"]: b["height"] for b in self.blocks for tx in b["transactions"]}

    def _mark_corrupted(self, reason: str) -> None:
        self.corruption = reason
        log.error("node is corrupted: %s", reason)

    # ----- chain access ------------------------------------------------------
    @property
    def height(self) -> int:
        return len(self.blocks) - 1

    @property
    def tip(self) -> Block:
        return self.blocks[-1]

    def state_at(self, height: int) -> State:
        base = max(h for h in self.snapshots if h <= height)
        state = self.snapshots[base]
        for block in self.blocks[base + 1 : height + 1]:
            state = chain.apply_block(state, block)
        return state

    def mining_running(self) -> bool:
        return self.cfg.mine and self.corruption is None and "stop_blocks" not in self.faults

    def _after_append(self, new_blocks: list[Block]) -> None:
        """Bookkeeping shared by mining and sync once blocks are stored."""
        for block in new_blocks:
            h = block["height"]
            if h % SNAPSHOT_EVERY == 0:
                self.snapshots[h] = self.state_at(h)
            for tx in block["transactions"]:
                self.tx_index[tx["hash"]] = h
            if h % self.cfg.checkpoint_interval == 0 and h > 0:
                self.storage.write_checkpoint(self.cfg.network, block, self.state_at(h))

    # ----- mining ------------------------------------------------------------
    def mine_one(self) -> Block | None:
        with self.lock:
            if not self.mining_running():
                return None
            started = time.perf_counter()
            txs = self.mempool.select(self.state, self.cfg.max_txs_per_block)
            recent = self.blocks[-chain.RETARGET_INTERVAL :]
            difficulty = chain.next_difficulty(recent, self.cfg.block_interval)
            block, tries = chain.mine_block(self.tip, self.state, txs, self.miner_address, difficulty)
            post = chain.apply_block(self.state, block)
            self.storage.apply_change(self.height, [block])  # durable before visible
            self.blocks.append(block)
            self.state = post
            self._after_append([block])
            self.mempool.remove({tx["hash"] for tx in txs})
            self.mempool.revalidate(self.state, [])
            self.mined_log.append((time.monotonic(), tries))
            self.metrics.blocks_mined.inc()
            self.metrics.blocks_processed.inc()
            self.metrics.block_processing.observe(time.perf_counter() - started)
            return block

    def mining_loop(self) -> None:
        interval = self.cfg.block_interval
        next_at = time.monotonic() + interval
        while not self.stop_event.wait(max(0.0, next_at - time.monotonic())):
            next_at += interval
            if next_at < time.monotonic():
                next_at = time.monotonic() + interval  # don't burst after a stall
            try:
                self.mine_one()
            except Exception:  # keep the loop alive; a drill must not kill the node
                log.exception("mining failed")

    def hashrate(self) -> float:
        now = time.monotonic()
        window = min(60.0, max(now - self.started, 1e-3))
        return sum(t for at, t in self.mined_log if now - at <= window) / window

    # ----- sync (called by p2p) ----------------------------------------------
    def offer_chain(self, fork: int, new_blocks: list[Block]) -> str:
        """Adopt a peer's blocks on top of our block `fork` if they make a better valid chain.

        Returns "adopted", "stale" (not better / no longer fits) or "invalid".
        """
        with self.lock:
            if self.corruption is not None or not new_blocks:
                return "stale"
            if fork > self.height or new_blocks[0]["prevHash"] != self.blocks[fork]["hash"]:
                return "stale"
            new_tip = new_blocks[-1]
            new_height = fork + len(new_blocks)
            better = new_height > self.height or (new_height == self.height and new_tip["hash"] < self.tip["hash"])
            if not better:
                return "stale"
            started = time.perf_counter()
            state = self.state_at(fork)
            parent = self.blocks[fork]
            now = time.time()
            try:
                for block in new_blocks:
                    state = chain.validate_block(block, parent, state, now)
                    parent = block
            except ChainError as exc:
                self.metrics.blocks_rejected.inc()
                log.warning("rejected peer block: %s", exc)
                return "invalid"
            orphaned = self.blocks[fork + 1 :]
            self.storage.apply_change(fork, new_blocks)
            if orphaned:
                self.orphans += len(orphaned)
                self.metrics.reorgs.inc()
                self.storage.drop_checkpoints_above(fork)
                log.info("reorg at %d: %d blocks orphaned", fork, len(orphaned))
            self.blocks = self.blocks[: fork + 1] + new_blocks
            self.snapshots = {h: s for h, s in self.snapshots.items() if h <= fork}
            self.state = state
            for block in orphaned:
                for tx in block["transactions"]:
                    self.tx_index.pop(tx["hash"], None)
            self._after_append(new_blocks)
            orphan_txs = [tx for b in orphaned for tx in b["transactions"]]
            self.mempool.revalidate(self.state, orphan_txs)
            self.metrics.blocks_processed.inc(len(new_blocks))
            elapsed = (time.perf_counter() - started) / len(new_blocks)
            for _ in new_blocks:
                self.metrics.block_processing.observe(elapsed)
            return "adopted"

    # ----- transactions ------------------------------------------------------
    def submit_tx(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if self.circuit_open:
                raise RpcError(SERVER_ERROR, "circuit breaker open")
            if self.mempool.frozen:
                raise RpcError(SERVER_ERROR, "mempool frozen")
            if self.corruption is not None:
                raise RpcError(SERVER_ERROR, "node is corrupted")
            sender, to, amount = params.get("from"), params.get("to"), params.get("amount")
            if isinstance(amount, str) and amount.isdigit():
                amount = int(amount)
            if not (chain.is_address(sender) and chain.is_address(to)):
                raise RpcError(INVALID_PARAMS, "params 'from' and 'to' must be non-empty strings")
            if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
                raise RpcError(INVALID_PARAMS, "param 'amount' must be a positive integer")
            assert isinstance(sender, str) and isinstance(to, str)
            pending = self.mempool.pending_from(sender)
            expected_nonce = self.state["nonces"].get(sender, 0) + len(pending)
            nonce = params.get("nonce", expected_nonce)
            if not chain.is_uint(nonce) or nonce != expected_nonce:
                self.metrics.tx_rejected.inc()
                raise RpcError(INVALID_PARAMS, f"bad nonce: expected {expected_nonce}")
            available = self.state["balances"].get(sender, 0) - sum(tx["amount"] for tx in pending)
            if amount > available:
                self.metrics.tx_rejected.inc()
                raise RpcError(INVALID_PARAMS, f"insufficient balance: {sender} has {available} available")
            if len(self.mempool) >= MAX_MEMPOOL_TXS:
                self.metrics.tx_rejected.inc()
                raise RpcError(SERVER_ERROR, "mempool full")
            tx = chain.make_tx(sender, to, amount, nonce)
            self.mempool.add(tx)
            self.metrics.tx_accepted.inc()
            return {"txHash": tx["hash"]}

    def find_tx(self, tx_hash: str) -> dict[str, Any] | None:
        with self.lock:
            pending = self.mempool.get(tx_hash)
            if pending is not None:
                return {**pending, "status": "pending"}
            height = self.tx_index.get(tx_hash)
            if height is None:
                return None
            block = self.blocks[height]
            tx: Tx = next(t for t in block["transactions"] if t["hash"] == tx_hash)
            return {**tx, "status": "confirmed", "blockHeight": height, "blockHash": block["hash"]}

    # ----- stats -------------------------------------------------------------
    def avg_block_time(self) -> float:
        window = self.blocks[max(1, len(self.blocks) - chain.RETARGET_INTERVAL - 1) :]
        if len(window) < 2:
            return 0.0
        span = int(window[-1]["timestamp"]) - int(window[0]["timestamp"])
        return span / (len(window) - 1)

    def chain_stats(self) -> dict[str, Any]:
        with self.lock:
            avg = self.avg_block_time()
            return {
                "height": self.height,
                "tipHash": self.tip["hash"],
                "difficulty": self.tip["difficulty"],
                "totalBlocks": len(self.blocks),
                "totalSupplyDNT": str(sum(self.state["balances"].values())),
                "avgBlockTime": avg,
                "networkHashRate": self.tip["difficulty"] / avg if avg > 0 else 0.0,
                "mempoolSize": len(self.mempool),
                "miningActive": self.mining_running(),
                "network": self.cfg.network,
                "status": "corrupted" if self.corruption else "healthy",
            }

    def tx_stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "pending": len(self.mempool),
                "bytes": self.mempool.bytes(),
                "accepted": int(self.metrics.tx_accepted.total()),
                "rejected": int(self.metrics.tx_rejected.total()),
                "frozen": self.mempool.frozen,
                "circuitBreakerOpen": self.circuit_open,
                "maxTxsPerBlock": self.cfg.max_txs_per_block,
                "capacity": MAX_MEMPOOL_TXS,
            }

    def miner_status(self) -> dict[str, Any]:
        with self.lock:
            return {
                "enabled": self.cfg.mine,
                "running": self.mining_running(),
                "hashrate": self.hashrate(),
                "blocksMined": int(self.metrics.blocks_mined.total()),
                "difficulty": self.tip["difficulty"],
                "address": self.miner_address,
                "blockInterval": self.cfg.block_interval,
            }

    # ----- faults and admin switches ------------------------------------------
    def apply_fault(self, fault: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if fault == "clear":
                self.faults -= {"stop_blocks", "drop_peers"}
            elif fault == "corrupt_data":
                height = body.get("height", self.height)
                if not chain.is_uint(height) or height > self.height:
                    raise ValueError("height")
                path = self.storage.corrupt_block(int(height))
                report = verify_datadir(self.storage.datadir)
                self.faults.add("corrupt_data")
                self._mark_corrupted(
                    f"stored chain is corrupt at height {report['first_bad_height']}: {report['reason']}"
                )
                return {"fault": fault, "active": sorted(self.faults), "file": str(path), "height": height}
            else:
                self.faults.add(fault)
            return {"fault": fault, "active": sorted(self.faults)}
