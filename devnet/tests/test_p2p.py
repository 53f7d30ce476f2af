"""Three peered nodes on loopback converge; drop_peers empties the peer table."""

from __future__ import annotations

import socket

from devnet.tests.conftest import StartNode
from devnet.tests.util import DevnetNode, wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mesh(start_devnet: StartNode, mine: list[bool]) -> list[DevnetNode]:
    """Fixed ports so every node can name all the others as peers from the start."""
    ports = [_free_port() for _ in mine]
    nodes = []
    for i, (port, mining) in enumerate(zip(ports, mine, strict=True)):
        peers = ",".join(f"http://127.0.0.1:{p}" for p in ports if p != port)
        args = ["--block-interval", "0.2", "--peers", peers, "--mine" if mining else "--no-mine"]
        nodes.append(start_devnet(f"node-{i + 1}", *args, "--rpc-port", str(port)))
    return nodes


def _converged(nodes: list[DevnetNode]) -> bool:
    tips = {(s["height"], s["tipHash"]) for s in (n.rpc("chain_getStats") for n in nodes)}
    return len(tips) == 1


def test_three_nodes_converge_and_count_peers(start_devnet: StartNode) -> None:
    nodes = _mesh(start_devnet, [True, False, False])
    assert wait_for(lambda: nodes[0].height() >= 5, timeout=10)
    assert wait_for(lambda: _converged(nodes), timeout=10)
    assert wait_for(lambda: all(n.get("/peers")[1]["peer_count"] == 2 for n in nodes), timeout=10)
    status, peers = nodes[1].get("/peers")
    assert status == 200 and peers["inbound"] == 2 and peers["outbound"] == 2
    assert {p["url"] for p in peers["peers"]} == {nodes[0].rpc_url, nodes[2].rpc_url}
    assert all({"url", "height", "last_seen"} <= set(p) for p in peers["peers"])
    assert "dinari_p2p_connected_peers 2" in nodes[2].metrics_text()

    # drop_peers: the node refuses and forgets its peers.
    status, body = nodes[2].post("/admin/faults", {"fault": "drop_peers"})
    assert status == 200 and body["ok"] is True and "drop_peers" in body["active"]
    assert nodes[2].get("/peers")[1]["peer_count"] == 0
    assert "dinari_p2p_connected_peers 0" in nodes[2].metrics_text()
    status, _ = nodes[0].get("/peers")  # peers of node-3 notice after the ~10 s TTL; not awaited here
    assert nodes[2].post("/admin/faults", {"fault": "clear"})[0] == 200
    assert wait_for(lambda: nodes[2].get("/peers")[1]["peer_count"] == 2, timeout=10)


def test_competing_miners_reorg_and_converge(start_devnet: StartNode) -> None:
    nodes = _mesh(start_devnet, [True, True])
    assert wait_for(lambda: min(n.height() for n in nodes) >= 8, timeout=15)
    for node in nodes:
        assert node.post("/admin/faults", {"fault": "stop_blocks"})[0] == 200
    assert wait_for(lambda: _converged(nodes), timeout=10)
    for node in nodes:
        stats = node.rpc("miner_status")
        assert stats["running"] is False
