"""The poller survives nodes that hang, answer garbage, fail, or rate-limit."""

from __future__ import annotations

import time

import pytest

from monitoring import services
from monitoring.models import MetricSample, Node, NodeStatus
from monitoring.tests.badnode import bad_node


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("garbage", "not JSON"),
        ("rpc_error", "RPC error -32603"),
        ("http_500", "not JSON"),
        ("rate_limited", "RPC error -32002"),
    ],
)
def test_a_broken_node_is_recorded_unreachable_with_the_reason(mode: str, reason: str) -> None:
    with bad_node(mode) as url:
        node = Node.objects.create(name=f"bad-{mode}".replace("_", "-"), rpc_url=url)
        results = services.nodes_poll()
    assert len(results) == 1
    node.refresh_from_db()
    assert node.status == NodeStatus.UNREACHABLE
    assert reason in node.last_error
    sample = MetricSample.objects.get(node=node)
    assert sample.reachable is False
    assert reason in sample.error
    if mode == "rate_limited":
        assert node.backoff_until is not None
        assert services.nodes_poll() == []  # backing off: not asked again right away


@pytest.mark.django_db
def test_a_hanging_node_times_out_and_does_not_hold_up_the_others(settings) -> None:
    settings.NODE_POLL_TIMEOUT_SECONDS = 0.5
    with bad_node("hang") as hanging, bad_node("garbage") as garbage:
        Node.objects.create(name="hangs", rpc_url=hanging)
        Node.objects.create(name="garbage", rpc_url=garbage)
        Node.objects.create(name="refused", rpc_url="http://127.0.0.1:9")  # nothing listens there
        started = time.monotonic()
        results = services.nodes_poll()
        elapsed = time.monotonic() - started
    assert len(results) == 3
    errors = dict(Node.objects.values_list("name", "last_error"))
    assert "timed out" in errors["hangs"]
    assert "not JSON" in errors["garbage"]
    assert "connection failed" in errors["refused"]
    # Polled concurrently: the hanging node costs one timeout, not one per node.
    assert elapsed < 3.0


@pytest.mark.django_db
def test_a_missing_credential_is_reported_not_raised(monkeypatch) -> None:
    monkeypatch.delenv("DINARI_NODE_NO_SUCH_KEY", raising=False)
    Node.objects.create(
        name="secure", rpc_url="http://127.0.0.1:9", auth_scheme="apikey", credential_ref="env:DINARI_NODE_NO_SUCH_KEY"
    )
    services.nodes_poll()
    node = Node.objects.get(name="secure")
    assert node.status == NodeStatus.UNREACHABLE
    assert node.last_error == "credential env:DINARI_NODE_NO_SUCH_KEY is not set"


def test_metrics_parser_reads_real_names_and_rejects_garbage() -> None:
    from integrations.node_client import NodeError, parse_metrics

    text = (
        "# HELP dinari_p2p_connected_peers Connected peers\n# TYPE dinari_p2p_connected_peers gauge\n"
        "dinari_p2p_connected_peers 7\n"
        "# TYPE dinari_blockchain_blocks_processed_total counter\ndinari_blockchain_blocks_processed_total 120\n"
    )
    values = parse_metrics(text)
    assert values["dinari_p2p_connected_peers"] == 7
    assert values["dinari_blockchain_blocks_processed_total"] == 120
    with pytest.raises(NodeError):
        parse_metrics("this is { not prometheus")


def test_nan_and_infinite_metric_values_are_ignored_not_fatal() -> None:
    import asyncio

    from integrations.node_client import parse_metrics

    values = parse_metrics("dinari_p2p_connected_peers NaN\ndinari_blockchain_orphan_blocks +Inf\n")
    assert values["dinari_p2p_connected_peers"] != values["dinari_p2p_connected_peers"]  # NaN

    class StubClient:
        async def rpc(self, method, params=None):
            return {"height": 5, "tipHash": "0x1"} if method == "chain_getStats" else {"timestamp": 1700000000}

        async def metrics(self):
            return values

        async def peers(self):
            from integrations.node_client import NodeCapabilityMissing

            raise NodeCapabilityMissing("no /peers")

    from monitoring.poller import poll_node

    result = asyncio.run(poll_node(StubClient()))  # type: ignore[arg-type]
    assert result["height"] == 5
    assert "peer_count" not in result and "orphan_blocks" not in result


@pytest.mark.django_db
def test_absurd_answers_cost_only_their_own_node() -> None:
    """Huge numbers, nested-to-death JSON and oversized bodies never spoil the round."""
    from contextlib import ExitStack

    modes = ["good", "huge_timestamp", "huge_height", "deep_json", "huge_body"]
    with ExitStack() as stack:
        for mode in modes:
            url = stack.enter_context(bad_node(mode))
            Node.objects.create(name=mode.replace("_", "-"), rpc_url=url)
        results = services.nodes_poll()
    assert len(results) == len(modes)
    nodes = {n.name: n for n in Node.objects.all()}
    assert nodes["good"].status == NodeStatus.UP
    good = MetricSample.objects.get(node=nodes["good"])
    assert good.height == 5
    assert good.mempool_size is None  # 10**12 does not fit the column: dropped, not fatal
    # A block time no calendar holds is left out; the node itself answered.
    assert nodes["huge-timestamp"].status == NodeStatus.UP
    assert MetricSample.objects.get(node=nodes["huge-timestamp"]).latest_block_time is None
    assert nodes["huge-height"].status == NodeStatus.UNREACHABLE
    assert "valid height" in nodes["huge-height"].last_error
    assert "not JSON" in nodes["deep-json"].last_error
    assert "larger than 4 MiB" in nodes["huge-body"].last_error
    assert MetricSample.objects.count() == len(modes)


def test_rate_limit_backoff_grows_and_is_capped() -> None:
    from datetime import timedelta

    assert [services.rate_limit_backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.rate_limit_backoff(50) == timedelta(minutes=10)


@pytest.mark.django_db
def test_consecutive_rate_limits_back_off_longer() -> None:
    from django.utils import timezone

    from monitoring.poller import PollResult

    node = Node.objects.create(name="busy", rpc_url="http://127.0.0.1:9")
    now = timezone.now()
    for _ in range(3):
        services.samples_record(result=PollResult(node.pk, now, reachable=False, error="-32002", rate_limited=True))
    node.refresh_from_db()
    assert node.rate_limited_polls == 3
    assert node.backoff_until == now + services.rate_limit_backoff(3)
    services.samples_record(result=PollResult(node.pk, now, reachable=True, values={"height": 1}))
    node.refresh_from_db()
    assert (node.rate_limited_polls, node.backoff_until) == (0, None)


@pytest.mark.django_db
def test_control_characters_from_a_node_are_stored_safely() -> None:
    from django.utils import timezone

    from monitoring.poller import PollResult

    node = Node.objects.create(name="odd", rpc_url="http://127.0.0.1:9")
    services.samples_record(result=PollResult(node.pk, timezone.now(), reachable=False, error="bad\x00byte\x1b[31m"))
    node.refresh_from_db()
    assert node.last_error == "bad?byte?[31m"
