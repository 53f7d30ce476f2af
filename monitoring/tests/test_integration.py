"""Real parts end to end: devnet nodes, a Celery worker, Redis, the WebSocket consumer."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import sync_to_async

from monitoring.models import MetricSample, Node, NodeStatus
from monitoring.services import node_register_or_update

pytestmark = pytest.mark.integration


def _wait_for(predicate, timeout: float = 20.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def test_worker_polls_devnet_nodes_and_records_real_heights_and_peers(celery_worker_thread, devnet) -> None:
    from monitoring.tasks import poll_nodes

    producer = devnet("node-1", block_interval=0.3)
    follower = devnet("node-2", block_interval=0.3, mine=False, peers=[producer.rpc_url])
    node_register_or_update(name="node-1", rpc_url=producer.rpc_url, metrics_url=producer.metrics_url)
    node_register_or_update(name="node-2", rpc_url=follower.rpc_url, metrics_url=follower.metrics_url)

    poll_nodes.delay()
    _wait_for(lambda: MetricSample.objects.filter(reachable=True).count() >= 2)
    time.sleep(1.0)  # several blocks later
    poll_nodes.delay()
    _wait_for(lambda: MetricSample.objects.filter(node__name="node-2", reachable=True).count() >= 2)

    samples = list(MetricSample.objects.filter(node__name="node-2").order_by("taken_at"))
    first_height, last_height = samples[0].height, samples[-1].height
    assert first_height is not None and last_height is not None
    assert last_height > first_height >= 0  # the follower synced new blocks
    assert samples[-1].peer_count == 1
    assert samples[-1].latest_block_time is not None
    assert samples[-1].tip_hash.startswith("0x")

    follower.process.kill()  # SIGKILL: the node vanishes mid-flight
    follower.process.wait()
    poll_nodes.delay()
    node = _wait_for(lambda: Node.objects.filter(name="node-2", status=NodeStatus.UNREACHABLE).first())
    assert "connection failed" in node.last_error
    assert Node.objects.get(name="node-1").status == NodeStatus.UP


@pytest.mark.django_db(transaction=True)
async def test_broadcast_from_the_worker_reaches_a_websocket_over_redis(
    celery_worker_thread, make_user, devnet
) -> None:
    """Worker and consumer meet only through the Redis channel layer, as in production."""
    from channels.testing import WebsocketCommunicator

    from monitoring.consumers import NodesConsumer
    from monitoring.tasks import poll_nodes

    node = devnet("node-1", block_interval=0.3)
    await sync_to_async(node_register_or_update)(name="node-1", rpc_url=node.rpc_url, metrics_url=node.metrics_url)
    communicator = WebsocketCommunicator(NodesConsumer.as_asgi(), "/ws/nodes/")
    communicator.scope["user"] = await sync_to_async(make_user)("viewer")
    connected, _ = await communicator.connect()
    assert connected
    await sync_to_async(poll_nodes.delay)()  # the worker thread polls and publishes
    event = await communicator.receive_json_from(timeout=5)
    assert event["kind"] == "node.sample"
    assert event["data"]["name"] == "node-1"
    assert event["data"]["status"] == "up"
    assert isinstance(event["data"]["height"], int)
    await communicator.disconnect()


def test_poller_authenticates_with_the_referenced_api_key(transactional_db, devnet, monkeypatch) -> None:
    from monitoring import services

    node = devnet("secure", block_interval=0.3, extra_args=["--api-key", "s3cret-key"])
    Node.objects.create(
        name="secure",
        rpc_url=node.rpc_url,
        metrics_url=node.metrics_url,
        auth_scheme="apikey",
        credential_ref="env:DINARI_NODE_SECURE_KEY",
    )
    monkeypatch.setenv("DINARI_NODE_SECURE_KEY", "wrong-key")
    services.nodes_poll()
    refused = Node.objects.get(name="secure")
    assert refused.status == NodeStatus.UNREACHABLE
    assert "-32001" in refused.last_error
    assert "wrong-key" not in refused.last_error

    monkeypatch.setenv("DINARI_NODE_SECURE_KEY", "s3cret-key")
    services.nodes_poll()
    accepted = Node.objects.get(name="secure")
    assert accepted.status == NodeStatus.UP, accepted.last_error
    assert MetricSample.objects.filter(node=accepted, reachable=True, height__isnull=False).exists()
