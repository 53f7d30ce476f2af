"""The dashboard's WebSocket: authenticated, role-checked, fed after commit."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from monitoring.consumers import NodesConsumer


def _communicator(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(NodesConsumer.as_asgi(), "/ws/nodes/")
    communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_anonymous_connections_are_refused() -> None:
    from django.contrib.auth.models import AnonymousUser

    connected, code = await _communicator(AnonymousUser()).connect()
    assert not connected
    assert code == 4401


@pytest.mark.django_db(transaction=True)
async def test_users_without_a_role_are_refused(make_user) -> None:
    user = await sync_to_async(make_user)(None)
    connected, code = await _communicator(user).connect()
    assert not connected
    assert code == 4403


@pytest.mark.django_db(transaction=True)
async def test_viewer_receives_node_samples_with_sequence_numbers(make_user) -> None:
    from monitoring import services
    from monitoring.models import Node
    from monitoring.poller import PollResult

    user = await sync_to_async(make_user)("viewer")
    node = await Node.objects.acreate(name="n1", rpc_url="http://127.0.0.1:9")
    communicator = _communicator(user)
    connected, _ = await communicator.connect()
    assert connected
    from django.utils import timezone

    for height in (10, 11):
        result = PollResult(node.pk, timezone.now(), reachable=True, values={"height": height, "peer_count": 2})
        await sync_to_async(services.samples_record)(result=result)
    first = await communicator.receive_json_from(timeout=2)
    second = await communicator.receive_json_from(timeout=2)
    assert first["stream"] == "nodes" and first["kind"] == "node.sample"
    assert (first["data"]["height"], second["data"]["height"]) == (10, 11)
    assert first["data"]["status"] == "up"
    assert second["seq"] == first["seq"] + 1
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_logging_out_stops_the_stream(make_user, monkeypatch) -> None:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.utils import timezone

    from core import consumers
    from monitoring import services
    from monitoring.models import Node
    from monitoring.poller import PollResult

    monkeypatch.setattr(consumers, "PERMISSION_RECHECK_SECONDS", 0.0)
    user = await sync_to_async(make_user)("viewer")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    await sync_to_async(store.save)()
    node = await Node.objects.acreate(name="n1", rpc_url="http://127.0.0.1:9")

    communicator = _communicator(user)
    communicator.scope["session"] = store
    connected, _ = await communicator.connect()
    assert connected
    result = PollResult(node.pk, timezone.now(), reachable=True, values={"height": 1})
    await sync_to_async(services.samples_record)(result=result)
    assert (await communicator.receive_json_from(timeout=2))["data"]["height"] == 1

    await sync_to_async(store.delete)()  # what logout does
    await sync_to_async(services.samples_record)(result=result)
    closed = await communicator.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4403}


@pytest.mark.django_db(transaction=True)
async def test_a_logged_out_session_cannot_connect(make_user) -> None:
    from importlib import import_module

    from django.conf import settings

    user = await sync_to_async(make_user)("viewer")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    await sync_to_async(store.create)()  # a session that holds no login
    communicator = _communicator(user)
    communicator.scope["session"] = store
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403
