"""Blocks, hashing, validation and the account state of the simulated chain.

Everything here is pure (no I/O) so the node, the storage verifier and the
CLI `verify` command all share one definition of "a valid chain".
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

Block = dict[str, Any]
Tx = dict[str, Any]
State = dict[str, dict[str, int]]

# Fixed genesis time so every node of a network derives the same genesis hash.
GENESIS_TIMESTAMP = 1735689600
FAUCET_ADDRESS = "dinari:faucet"
GENESIS_ALLOCATION: dict[str, int] = {FAUCET_ADDRESS: 1_000_000_000}
BLOCK_REWARD = 50
INITIAL_DIFFICULTY = 16
# The PoW is real but deliberately cheap: a devnet must mine in milliseconds.
MIN_DIFFICULTY = 1
MAX_DIFFICULTY = 1024
RETARGET_INTERVAL = 120
MAX_TXS_HARD_LIMIT = 10_000
MAX_ADDRESS_LEN = 128
FUTURE_TOLERANCE_S = 120
ZERO_HASH = "0x" + "00" * 32
HEADER_FIELDS = (
    "height",
    "timestamp",
    "difficulty",
    "nonce",
    "prevHash",
    "merkleRoot",
    "stateRoot",
    "miner",
    "txCount",
)
TX_FIELDS = ("from", "to", "amount", "nonce")


class ChainError(Exception):
    """A block or transaction that breaks the chain rules."""


def canonical(obj: Any) -> bytes:
    """Deterministic JSON encoding used for every hash."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def sha256_hex(data: bytes) -> str:
    return "0x" + hashlib.sha256(data).hexdigest()


def header_of(block: Block) -> dict[str, Any]:
    return {k: block[k] for k in HEADER_FIELDS}


def block_hash(block: Block) -> str:
    return sha256_hex(canonical(header_of(block)))


def tx_hash(tx: Tx) -> str:
    return sha256_hex(canonical({k: tx[k] for k in TX_FIELDS}))


def merkle_root(hashes: list[str]) -> str:
    if not hashes:
        return ZERO_HASH
    level = [bytes.fromhex(h[2:]) for h in hashes]
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])  # Bitcoin-style: duplicate the odd leaf
        level = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return "0x" + level[0].hex()


def state_root(state: State) -> str:
    return sha256_hex(canonical(state))


def genesis_state() -> State:
    return {"balances": dict(GENESIS_ALLOCATION), "nonces": {}}


def copy_state(state: State) -> State:
    return {"balances": dict(state["balances"]), "nonces": dict(state["nonces"])}


def genesis_block(network: str) -> Block:
    """Same input -> same hash: the network name is folded into the miner field."""
    block: Block = {
        "height": 0,
        "timestamp": GENESIS_TIMESTAMP,
        "difficulty": INITIAL_DIFFICULTY,
        "nonce": 0,
        "prevHash": ZERO_HASH,
        "merkleRoot": ZERO_HASH,
        "stateRoot": state_root(genesis_state()),
        "miner": f"genesis:{network}",
        "txCount": 0,
        "transactions": [],
    }
    block["hash"] = block_hash(block)
    return block


def meets_pow(hash_hex: str, difficulty: int) -> bool:
    return int(hash_hex, 16) < (1 << 256) // max(1, difficulty)


def is_address(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ADDRESS_LEN


def is_uint(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def make_tx(sender: str, to: str, amount: int, nonce: int) -> Tx:
    tx: Tx = {"from": sender, "to": to, "amount": amount, "nonce": nonce}
    tx["hash"] = tx_hash(tx)
    return tx


def check_tx_shape(tx: Any) -> None:
    if not isinstance(tx, dict):
        raise ChainError("transaction is not an object")
    if not (is_address(tx.get("from")) and is_address(tx.get("to"))):
        raise ChainError("transaction has a bad address")
    if not is_uint(tx.get("amount")) or tx["amount"] <= 0:
        raise ChainError("transaction amount must be a positive integer")
    if not is_uint(tx.get("nonce")):
        raise ChainError("transaction nonce must be a non-negative integer")
    if tx.get("hash") != tx_hash(tx):
        raise ChainError("transaction hash mismatch")


def apply_tx(state: State, tx: Tx) -> None:
    """Apply in place; raises ChainError when the sender cannot pay or the nonce is off."""
    sender = tx["from"]
    balances, nonces = state["balances"], state["nonces"]
    if tx["nonce"] != nonces.get(sender, 0):
        raise ChainError(f"bad nonce for {sender}: expected {nonces.get(sender, 0)}")
    if balances.get(sender, 0) < tx["amount"]:
        raise ChainError(f"insufficient balance for {sender}")
    balances[sender] = balances.get(sender, 0) - tx["amount"]
    balances[tx["to"]] = balances.get(tx["to"], 0) + tx["amount"]
    nonces[sender] = tx["nonce"] + 1


def apply_block(state: State, block: Block) -> State:
    """Return the state after `block` (the input state is left untouched)."""
    new = copy_state(state)
    for tx in block["transactions"]:
        apply_tx(new, tx)
    new["balances"][block["miner"]] = new["balances"].get(block["miner"], 0) + BLOCK_REWARD
    return new


def next_difficulty(recent: list[Block], target_interval: float) -> int:
    """Difficulty for the block after recent[-1]; retarget every RETARGET_INTERVAL blocks.

    `recent` holds the last RETARGET_INTERVAL blocks (or fewer near genesis).
    """
    parent = recent[-1]
    diff = int(parent["difficulty"])
    if (parent["height"] + 1) % RETARGET_INTERVAL != 0 or len(recent) < 2:
        return diff
    span = recent[-1]["timestamp"] - recent[0]["timestamp"]
    actual = span / (len(recent) - 1)
    if actual <= 0:
        new = diff * 4
    else:
        new = int(diff * target_interval / actual)
    new = max(diff // 4, min(diff * 4, new))  # clamp the step like Bitcoin does
    return max(MIN_DIFFICULTY, min(MAX_DIFFICULTY, new))


def check_block_shape(block: Any) -> None:
    if not isinstance(block, dict):
        raise ChainError("block is not an object")
    for key in (*HEADER_FIELDS, "hash", "transactions"):
        if key not in block:
            raise ChainError(f"block is missing field {key!r}")
    for key in ("height", "timestamp", "difficulty", "nonce", "txCount"):
        if not is_uint(block[key]):
            raise ChainError(f"block field {key!r} must be a non-negative integer")
    if not isinstance(block["transactions"], list):
        raise ChainError("block transactions must be a list")
    if not is_address(block["miner"]):
        raise ChainError("block miner must be a short string")


def validate_block(block: Any, parent: Block, parent_state: State, now: float | None = None) -> State:
    """Full validation of `block` on top of `parent`; returns the post-state."""
    check_block_shape(block)
    height = block["height"]
    if height != parent["height"] + 1:
        raise ChainError(f"height {height} does not follow {parent['height']}")
    if block["prevHash"] != parent["hash"]:
        raise ChainError(f"prevHash does not link to block {parent['height']}")
    if block["timestamp"] < parent["timestamp"]:
        raise ChainError("timestamp goes backwards")
    if now is not None and block["timestamp"] > now + FUTURE_TOLERANCE_S:
        raise ChainError("timestamp too far in the future")
    if not MIN_DIFFICULTY <= block["difficulty"] <= MAX_DIFFICULTY:
        raise ChainError("difficulty out of range")
    txs = block["transactions"]
    if block["txCount"] != len(txs) or len(txs) > MAX_TXS_HARD_LIMIT:
        raise ChainError("txCount does not match transactions")
    for tx in txs:
        check_tx_shape(tx)
    if block["merkleRoot"] != merkle_root([tx["hash"] for tx in txs]):
        raise ChainError("merkle root mismatch")
    if block["hash"] != block_hash(block):
        raise ChainError("block hash mismatch")
    if not meets_pow(block["hash"], block["difficulty"]):
        raise ChainError("proof of work below difficulty")
    try:
        post = apply_block(parent_state, block)
    except ChainError as exc:
        raise ChainError(f"invalid transaction: {exc}") from exc
    if block["stateRoot"] != state_root(post):
        raise ChainError("state root mismatch")
    return post


@dataclass
class ReplayResult:
    """Outcome of replaying stored blocks from genesis."""

    state: State
    good: int  # number of valid blocks from genesis (tip height = good - 1)
    first_bad_height: int | None
    reason: str | None


def replay(blocks: list[Block], network: str, now: float | None = None) -> ReplayResult:
    """Validate a whole chain from genesis and return the state of its valid prefix."""
    if not blocks:
        return ReplayResult(genesis_state(), 0, 0, "no genesis block")
    expected = genesis_block(network)
    if blocks[0] != expected:
        reason = "genesis block does not match network " + repr(network)
        return ReplayResult(genesis_state(), 0, 0, reason)
    state = genesis_state()
    for i in range(1, len(blocks)):
        try:
            state = validate_block(blocks[i], blocks[i - 1], state, now)
        except ChainError as exc:
            return ReplayResult(state, i, i, str(exc))
    return ReplayResult(state, len(blocks), None, None)


def mine_block(
    parent: Block,
    parent_state: State,
    txs: list[Tx],
    miner: str,
    difficulty: int,
    *,
    timestamp: int | None = None,
) -> tuple[Block, int]:
    """Assemble and seal a block; returns it with the number of hashes tried."""
    post = apply_block(parent_state, {"transactions": txs, "miner": miner})
    block: Block = {
        "height": parent["height"] + 1,
        "timestamp": max(int(timestamp if timestamp is not None else time.time()), parent["timestamp"]),
        "difficulty": difficulty,
        "nonce": 0,
        "prevHash": parent["hash"],
        "merkleRoot": merkle_root([tx["hash"] for tx in txs]),
        "stateRoot": state_root(post),
        "miner": miner,
        "txCount": len(txs),
    }
    tries = 0
    while True:
        tries += 1
        digest = block_hash(block)
        if meets_pow(digest, difficulty):
            break
        block["nonce"] += 1
    block["hash"] = digest
    block["transactions"] = txs
    return block, tries
