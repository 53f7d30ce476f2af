"""In-process node logic: peer blocks adopted, reorgs counted, invalid blocks rejected."""

from __future__ import annotations

import copy
from pathlib import Path

from devnet import chain
from devnet.node import Node, NodeConfig


def _node(tmp_path: Path, name: str) -> Node:
    node = Node(NodeConfig(name=name, datadir=str(tmp_path / name), block_interval=0.1, checkpoint_interval=3))
    node.open()
    return node


def test_offer_chain_reorg_and_reject(tmp_path: Path) -> None:
    a, b = _node(tmp_path, "a"), _node(tmp_path, "b")
    for _ in range(2):
        a.mine_one()
    for _ in range(4):
        b.mine_one()
    fork_blocks = b.blocks[1:]
    bad = copy.deepcopy(fork_blocks)
    bad[-1]["nonce"] += 1  # hash no longer matches
    assert a.offer_chain(0, bad) == "invalid"
    assert a.metrics.blocks_rejected.total() == 1 and a.height == 2

    assert a.offer_chain(0, fork_blocks) == "adopted"
    assert a.height == 4 and a.tip["hash"] == b.tip["hash"]
    assert a.orphans == 2 and a.metrics.reorgs.total() == 1
    assert a.offer_chain(0, fork_blocks[:2]) == "stale"  # shorter: ignored
    assert [c["height"] for c in a.storage.list_checkpoints()] == [3]
    assert chain.replay(a.storage.read_blocks()[0], "devnet").first_bad_height is None
