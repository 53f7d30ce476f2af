"""The metrics port: valid Prometheus text with every name of the spec."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from devnet.tests.util import DevnetNode, wait_for

SPEC_NAMES = [
    "dinari_blockchain_height",
    "dinari_blockchain_blocks_processed_total",
    "dinari_blockchain_blocks_rejected_total",
    "dinari_blockchain_orphan_blocks",
    "dinari_blockchain_reorgs_total",
    "dinari_blockchain_block_processing_seconds",
    "dinari_mining_active",
    "dinari_mining_hashrate",
    "dinari_mining_blocks_mined_total",
    "dinari_p2p_connected_peers",
    "dinari_p2p_inbound_peers",
    "dinari_p2p_outbound_peers",
    "dinari_p2p_banned_peers",
    "dinari_mempool_size",
    "dinari_mempool_bytes",
    "dinari_mempool_transactions_accepted_total",
    "dinari_mempool_transactions_rejected_total",
    "dinari_api_requests_total",
    "dinari_api_request_duration_seconds",
    "dinari_api_rate_limit_hits_total",
    "dinari_database_size_bytes",
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
]


def _samples(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if not sample.labels:
                out[sample.name] = sample.value
    return out


def test_metrics_parse_and_names(devnet_node: DevnetNode) -> None:
    node = devnet_node
    assert wait_for(lambda: node.height() >= 3)
    node.rpc("chain_getStats")
    text = node.metrics_text()
    names = {s.name for fam in text_string_to_metric_families(text) for s in fam.samples}
    for name in SPEC_NAMES:
        assert name in names or f"{name}_count" in names, name
    assert "dinari_blockchain_block_processing_seconds_bucket" in names
    assert "dinari_api_request_duration_seconds_bucket" in names
    for name in SPEC_NAMES:
        base = name[: -len("_total")] if name.endswith("_total") else name
        assert f"# HELP {name} " in text or f"# HELP {base} " in text, name
        assert f"# TYPE {name} " in text or f"# TYPE {base} " in text, name

    samples = _samples(text)
    assert samples["dinari_database_size_bytes"] > 0
    assert samples["process_resident_memory_bytes"] > 0
    assert samples["dinari_mining_active"] == 1


def test_metrics_height_matches_rpc(devnet_node: DevnetNode) -> None:
    node = devnet_node
    assert wait_for(lambda: node.height() >= 2)
    node.stop()  # freeze the chain: restart the same datadir without mining
    node.args = ["--no-mine"]
    node.start()
    height = node.height()
    assert height > 0
    samples = _samples(node.metrics_text())
    assert samples["dinari_blockchain_height"] == height
    assert samples["dinari_mining_active"] == 0
