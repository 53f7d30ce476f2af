"""Pure chain rules: genesis per network, validation failures, retargeting."""

from __future__ import annotations

import copy

import pytest

from devnet import chain
from devnet.chain import ChainError


def _two_blocks() -> tuple[chain.Block, chain.Block, chain.State]:
    genesis = chain.genesis_block("devnet")
    state = chain.genesis_state()
    tx = chain.make_tx(chain.FAUCET_ADDRESS, "alice", 10, 0)
    block, _ = chain.mine_block(genesis, state, [tx], "dinari:test", 4, timestamp=genesis["timestamp"] + 15)
    return genesis, block, state


def test_genesis_is_deterministic_per_network() -> None:
    assert chain.genesis_block("devnet") == chain.genesis_block("devnet")
    assert chain.genesis_block("devnet")["hash"] != chain.genesis_block("testnet")["hash"]


def test_valid_block_and_state() -> None:
    genesis, block, state = _two_blocks()
    post = chain.validate_block(block, genesis, state)
    assert post["balances"]["alice"] == 10 and post["balances"]["dinari:test"] == chain.BLOCK_REWARD
    assert chain.replay([genesis, block], "devnet").first_bad_height is None


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b.update(prevHash="0x" + "11" * 32), "prevHash"),
        (lambda b: b["transactions"][0].update(amount=11), "transaction hash"),
        (lambda b: b.update(stateRoot="0x" + "22" * 32), "hash mismatch"),
        (lambda b: b.update(txCount=5), "txCount"),
        (lambda b: b.update(merkleRoot=chain.ZERO_HASH), "merkle"),
    ],
)
def test_tampered_blocks_are_rejected(mutate: object, reason: str) -> None:
    genesis, block, state = _two_blocks()
    bad = copy.deepcopy(block)
    assert callable(mutate)
    mutate(bad)
    with pytest.raises(ChainError, match=reason):
        chain.validate_block(bad, genesis, state)
    assert chain.replay([genesis, bad], "devnet").first_bad_height == 1


def test_overspend_is_rejected() -> None:
    genesis = chain.genesis_block("devnet")
    state = chain.genesis_state()
    tx = chain.make_tx("nobody", "alice", 1, 0)
    with pytest.raises(ChainError, match="insufficient"):
        chain.mine_block(genesis, state, [tx], "dinari:test", 1)


def test_difficulty_retargets_every_120_blocks() -> None:
    recent = [{"height": h, "timestamp": h * 30, "difficulty": 100} for h in range(1, 120)]
    assert chain.next_difficulty(recent[:-1], 15.0) == 100  # not a retarget height
    assert chain.next_difficulty(recent, 15.0) == 50  # blocks twice as slow -> easier
    fast = [{"height": h, "timestamp": h * 5, "difficulty": 100} for h in range(1, 120)]
    assert chain.next_difficulty(fast, 15.0) == 300
    assert chain.next_difficulty(fast, 15.0) <= chain.MAX_DIFFICULTY
