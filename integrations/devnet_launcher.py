"""Start devnet nodes (``python -m devnet``) as child processes and wait until ready."""

from __future__ import annotations

import json
import selectors
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dinari_console import processes

REPO_ROOT = Path(__file__).resolve().parent.parent


class DevnetStartError(RuntimeError):
    pass


@dataclass
class DevnetNode:
    name: str
    datadir: Path
    rpc_url: str
    metrics_url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> int | None:
        return processes.stop(self.process, grace_seconds=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_devnet_node(
    *,
    name: str,
    datadir: Path,
    rpc_port: int = 0,
    metrics_port: int = 0,
    peers: Iterable[str] = (),
    block_interval: float = 15.0,
    mine: bool = True,
    extra_args: Iterable[str] = (),
    ready_timeout: float = 30.0,
    stderr: int | None = subprocess.DEVNULL,
) -> DevnetNode:
    args = [
        processes.python_executable(),
        "-m",
        "devnet",
        "--name",
        name,
        "--datadir",
        str(datadir),
        "--rpc-host",
        "127.0.0.1",
        "--rpc-port",
        str(rpc_port),
        "--metrics-port",
        str(metrics_port),
        "--block-interval",
        str(block_interval),
        "--mine" if mine else "--no-mine",
    ]
    peer_list = [p for p in peers if p]
    if peer_list:
        args += ["--peers", ",".join(peer_list)]
    args += list(extra_args)
    datadir.mkdir(parents=True, exist_ok=True)
    process = processes.spawn(args, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr)
    ready = _read_ready_line(process, ready_timeout)
    if ready is None:
        processes.stop(process, grace_seconds=2)
        raise DevnetStartError(
            f"devnet node {name} did not report ready within {ready_timeout:g}s (exit {process.returncode})"
        )
    return DevnetNode(
        name=name, datadir=datadir, rpc_url=ready["rpc_url"], metrics_url=ready["metrics_url"], process=process
    )


def _read_ready_line(process: subprocess.Popen[bytes], timeout: float) -> dict[str, str] | None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            chunk = process.stdout.read1(4096)  # type: ignore[attr-defined]
            if not chunk:
                return None  # the node exited
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                try:
                    message = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(message, dict) and message.get("event") == "ready":
                    return message
    return None
