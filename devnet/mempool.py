"""Pending transactions, kept in arrival order (the node holds the lock)."""

from __future__ import annotations

from devnet.chain import ChainError, State, Tx, apply_tx, canonical, copy_state

MAX_MEMPOOL_TXS = 10_000


class Mempool:
    def __init__(self) -> None:
        self._txs: dict[str, Tx] = {}
        self.frozen = False

    def __len__(self) -> int:
        return len(self._txs)

    def __contains__(self, tx_hash: str) -> bool:
        return tx_hash in self._txs

    def get(self, tx_hash: str) -> Tx | None:
        return self._txs.get(tx_hash)

    def add(self, tx: Tx) -> None:
        self._txs[tx["hash"]] = tx

    def pending(self) -> list[Tx]:
        return list(self._txs.values())

    def bytes(self) -> int:
        return sum(len(canonical(tx)) for tx in self._txs.values())

    def pending_from(self, sender: str) -> list[Tx]:
        return [tx for tx in self._txs.values() if tx["from"] == sender]

    def select(self, state: State, limit: int) -> list[Tx]:
        """Up to `limit` txs that apply cleanly in order on `state`."""
        trial = copy_state(state)
        chosen: list[Tx] = []
        for tx in self._txs.values():
            if len(chosen) >= limit:
                break
            try:
                apply_tx(trial, tx)
            except ChainError:
                continue
            chosen.append(tx)
        return chosen

    def remove(self, hashes: set[str]) -> None:
        for h in hashes:
            self._txs.pop(h, None)

    def revalidate(self, state: State, extra: list[Tx]) -> None:
        """After a chain change: re-queue `extra` (orphaned txs) and drop what no longer applies."""
        candidates = extra + [tx for tx in self._txs.values() if tx["hash"] not in {t["hash"] for t in extra}]
        trial = copy_state(state)
        kept: dict[str, Tx] = {}
        for tx in candidates:
            try:
                apply_tx(trial, tx)
            except ChainError:
                continue
            kept[tx["hash"]] = tx
        self._txs = kept
