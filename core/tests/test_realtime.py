from __future__ import annotations

import pytest
from channels.layers import get_channel_layer

from core.realtime import broadcast_on_commit, group_name


def test_group_names_are_safe_for_channels() -> None:
    assert group_name("incident/42 timeline") == "stream.incident-42-timeline"
    assert len(group_name("x" * 500)) <= 100


@pytest.mark.django_db(transaction=True)
async def test_broadcast_waits_for_commit_and_numbers_events() -> None:
    from asgiref.sync import sync_to_async
    from django.db import transaction

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group_name("demo"), channel)

    def publish_in_transaction(rolled_back: bool) -> None:
        try:
            with transaction.atomic():
                broadcast_on_commit("demo", "thing.changed", {"n": 1})
                if rolled_back:
                    raise RuntimeError("roll back")
        except RuntimeError:
            pass

    await sync_to_async(publish_in_transaction)(True)
    await sync_to_async(publish_in_transaction)(False)
    await sync_to_async(publish_in_transaction)(False)
    first = await layer.receive(channel)
    second = await layer.receive(channel)
    assert first["event"]["kind"] == "thing.changed"
    assert second["event"]["seq"] == first["event"]["seq"] + 1  # the rolled-back one never took a number
