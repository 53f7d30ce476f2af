"""Fixtures: devnet nodes as real subprocesses on OS-chosen ports, always terminated."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devnet.tests.util import DevnetNode

StartNode = Callable[..., DevnetNode]


@pytest.fixture
def start_devnet(tmp_path: Path) -> Iterator[StartNode]:
    """start_devnet(name="node-1", *extra_cli_args, datadir=None) -> a ready DevnetNode."""
    started: list[DevnetNode] = []

    def start(name: str = "node-1", *args: str, datadir: Path | None = None) -> DevnetNode:
        node = DevnetNode(name, datadir or tmp_path / name, list(args))
        started.append(node)
        return node.start()

    yield start
    for node in started:
        node.stop()


@pytest.fixture
def devnet_node(start_devnet: StartNode) -> DevnetNode:
    """One mining node with a fast block interval, no auth, no rate limit."""
    return start_devnet("node-1", "--block-interval", "0.2", "--checkpoint-interval", "5")
