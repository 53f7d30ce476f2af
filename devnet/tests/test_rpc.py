"""JSON-RPC result shapes and every error code of the node interface spec."""

from __future__ import annotations

import re

import pytest

from devnet.chain import FAUCET_ADDRESS, block_hash, genesis_block
from devnet.tests.util import DevnetNode, RpcFailure, http, wait_for

BLOCK_KEYS = {
    "hash", "height", "timestamp", "difficulty", "nonce", "prevHash",
    "merkleRoot", "stateRoot", "miner", "transactions", "txCount",
}  # fmt: skip


def test_ready_line(devnet_node: DevnetNode) -> None:
    ready = devnet_node.ready
    assert set(ready) == {"event", "name", "rpc_url", "metrics_url", "height", "pid"}
    assert ready["event"] == "ready" and ready["name"] == "node-1"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", ready["rpc_url"])
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/metrics", ready["metrics_url"])
    assert ready["height"] == 0


def test_result_shapes(devnet_node: DevnetNode) -> None:
    node = devnet_node
    assert wait_for(lambda: node.height() >= 2)
    assert set(node.rpc("chain_getHeight")) == {"height"}

    block = node.rpc("chain_getBlock", {"height": 1})
    assert set(block) == BLOCK_KEYS
    assert block["hash"] == block_hash(block) and block["txCount"] == len(block["transactions"])
    assert node.rpc("chain_getBlock", {"blockHeight": 1}) == block
    assert node.rpc("chain_getBlock", {"blockHash": block["hash"]}) == block
    assert node.rpc("chain_getBlock", {"height": 0})["hash"] == genesis_block("devnet")["hash"]

    stats = node.rpc("chain_getStats")
    for key in ("height", "tipHash", "difficulty", "totalBlocks", "totalSupplyDNT", "avgBlockTime"):
        assert key in stats
    assert {"networkHashRate", "mempoolSize", "miningActive"} <= set(stats)
    assert isinstance(stats["totalSupplyDNT"], str) and stats["miningActive"] is True
    assert stats["totalBlocks"] == stats["height"] + 1

    mempool = node.rpc("tx_getStats")
    assert {"pending", "bytes", "accepted", "rejected", "frozen"} <= set(mempool)
    miner = node.rpc("miner_status")
    assert {"enabled", "running", "hashrate", "blocksMined", "difficulty"} <= set(miner)
    assert miner["enabled"] is True and miner["blocksMined"] >= 2


def test_tx_send_and_get(devnet_node: DevnetNode) -> None:
    node = devnet_node
    sent = node.rpc("tx_send", {"from": FAUCET_ADDRESS, "to": "alice", "amount": 7})
    assert set(sent) == {"txHash"}
    assert node.rpc("tx_get", {"hash": sent["txHash"]})["amount"] == 7
    assert wait_for(lambda: node.rpc("tx_get", {"hash": sent["txHash"]})["status"] == "confirmed")
    with pytest.raises(RpcFailure) as exc:
        node.rpc("tx_send", {"from": "pauper", "to": "alice", "amount": 1})
    assert exc.value.code == -32602 and "insufficient" in exc.value.message
    stats = node.rpc("tx_getStats")
    assert stats["accepted"] == 1 and stats["rejected"] == 1
    with pytest.raises(RpcFailure) as exc:
        node.rpc("tx_send", {"from": FAUCET_ADDRESS, "to": "alice", "amount": 1, "nonce": 99})
    assert exc.value.code == -32602


def test_health(devnet_node: DevnetNode) -> None:
    status, body = devnet_node.get("/health")
    assert status == 200 and body["status"] == "healthy"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["time"])


def _code(node: DevnetNode, payload: object) -> int:
    return int(node.rpc_raw(payload)["error"]["code"])


def test_error_codes(devnet_node: DevnetNode) -> None:
    node = devnet_node
    assert _code(node, b"{not json") == -32700
    assert _code(node, [1, 2]) == -32600  # batches are answered -32600 (documented)
    assert _code(node, "hello") == -32600
    assert _code(node, {"method": "chain_getHeight", "id": 1}) == -32600  # no jsonrpc
    assert _code(node, {"jsonrpc": "1.0", "method": "chain_getHeight", "id": 1}) == -32600
    assert _code(node, {"jsonrpc": "2.0", "id": 1}) == -32600  # no method
    assert _code(node, {"jsonrpc": "2.0", "method": "nope_nothing", "id": 1}) == -32601
    assert _code(node, {"jsonrpc": "2.0", "method": "chain_getBlock", "params": {}, "id": 1}) == -32602
    assert _code(node, {"jsonrpc": "2.0", "method": "chain_getBlock", "params": {"height": -1}, "id": 1}) == -32602
    assert _code(node, {"jsonrpc": "2.0", "method": "chain_getBlock", "params": [1], "id": 1}) == -32602
    assert _code(node, {"jsonrpc": "2.0", "method": "chain_getBlock", "params": {"height": 10**9}, "id": 1}) == -32004
    missing = {"blockHash": "0x" + "ab" * 32}
    assert _code(node, {"jsonrpc": "2.0", "method": "chain_getBlock", "params": missing, "id": 1}) == -32004
    reply = node.rpc_raw({"jsonrpc": "2.0", "method": "nope", "id": "abc"})
    assert reply["id"] == "abc" and reply["jsonrpc"] == "2.0"


@pytest.mark.parametrize("verb", ["GET", "PUT", "DELETE"])
def test_non_post_on_root_is_32600(devnet_node: DevnetNode, verb: str) -> None:
    status, body = http(devnet_node.rpc_url + "/", verb, None)
    assert status == 200 and body["error"]["code"] == -32600


def test_body_over_one_mib_is_32003(devnet_node: DevnetNode) -> None:
    big = b'{"jsonrpc":"2.0","method":"chain_getHeight","params":{"pad":"' + b"x" * (1_153_434) + b'"},"id":1}'
    assert _code(devnet_node, big) == -32003
    assert devnet_node.height() >= 0  # still serving afterwards
