"""Playbook switches: mempool freeze, circuit breaker, stop_blocks, fault validation."""

from __future__ import annotations

import time

import pytest

from devnet.chain import FAUCET_ADDRESS
from devnet.tests.util import DevnetNode, RpcFailure, wait_for


def _send(node: DevnetNode) -> dict[str, str]:
    return dict(node.rpc("tx_send", {"from": FAUCET_ADDRESS, "to": "bob", "amount": 1}))


def test_mempool_freeze_refuses_tx_send(devnet_node: DevnetNode) -> None:
    node = devnet_node
    status, body = node.post("/admin/mempool/freeze")
    assert status == 200 and body["ok"] is True and body["frozen"] is True
    assert node.rpc("tx_getStats")["frozen"] is True
    with pytest.raises(RpcFailure) as exc:
        _send(node)
    assert exc.value.code == -32000 and exc.value.message == "mempool frozen"
    assert node.post("/admin/mempool/unfreeze")[1]["frozen"] is False
    assert "txHash" in _send(node)


def test_circuit_breaker(devnet_node: DevnetNode) -> None:
    node = devnet_node
    status, body = node.post("/admin/circuit-breaker/open")
    assert status == 200 and body == {"ok": True, "circuitBreaker": "open", "frozen": False}
    with pytest.raises(RpcFailure) as exc:
        _send(node)
    assert exc.value.code == -32000 and exc.value.message == "circuit breaker open"
    assert node.height() >= 0  # reads keep working
    assert node.post("/admin/circuit-breaker/close")[1]["circuitBreaker"] == "closed"
    assert "txHash" in _send(node)


def test_stop_blocks_stalls_height(devnet_node: DevnetNode) -> None:
    node = devnet_node
    assert wait_for(lambda: node.height() >= 1)
    assert node.post("/admin/faults", {"fault": "stop_blocks"})[0] == 200
    time.sleep(0.3)  # let an in-flight block land
    stalled = node.height()
    time.sleep(0.8)
    assert node.height() == stalled
    assert node.rpc("miner_status")["running"] is False
    assert node.get("/admin/faults")[1]["active"] == ["stop_blocks"]
    assert node.post("/admin/faults", {"fault": "clear"})[1]["active"] == []
    assert wait_for(lambda: node.height() > stalled)


def test_unknown_fault_is_400(devnet_node: DevnetNode) -> None:
    status, body = devnet_node.post("/admin/faults", {"fault": "meteor"})
    assert status == 400 and body["ok"] is False and body["field"] == "fault"
    status, body = devnet_node.post("/admin/faults", {"nothing": 1})
    assert status == 400 and body["field"] == "fault"
    assert devnet_node.post("/admin/nope")[0] == 404
