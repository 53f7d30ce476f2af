"""`python3 dev.py up` starts the whole stack and never leaves a process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from integrations.devnet_launcher import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, found, todo = _children_of(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


class Stack:
    def __init__(self, var_dir: Path):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(
            DINARI_VAR_DIR=str(var_dir),
            DEVNET_NODES="2",
            DEVNET_BLOCK_INTERVAL="0.5",
            PORT=str(self.port),
            DINARI_ADMIN_PASSWORD="a-long-test-password",
            WORKER_CONCURRENCY="1",
        )
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "dev.py"), "up"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Dinari Ops Console: http://" in line:
                self.ready.set()

    def wait_ready(self) -> set[int]:
        assert self.ready.wait(120), "dev.py up never printed its URL:\n" + "".join(self.lines[-40:])
        deadline = time.monotonic() + 30
        while True:  # the server prints the URL a moment before it listens
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        pids = descendants(self.process.pid)
        commands = " ".join(Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace") for p in alive(pids))
        for part in ("redis-server", "devnet", "celery", "uvicorn"):
            assert part in commands, f"{part} is not running under dev.py"
        return pids

    def output(self) -> str:
        return "".join(self.lines)


def _wait_gone(pids: set[int], timeout: float = 30) -> set[int]:
    deadline = time.monotonic() + timeout
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("var")


def test_ctrl_c_stops_everything(var_dir) -> None:
    stack = Stack(var_dir)
    pids = stack.wait_ready()
    assert "Created admin user 'admin' with the password from DINARI_ADMIN_PASSWORD" in stack.output()
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(60) == 0
    assert _wait_gone(pids) == set(), stack.output()[-3000:]
    assert "all processes stopped." in stack.output()


def test_a_dying_child_stops_the_rest(var_dir) -> None:
    stack = Stack(var_dir)
    pids = stack.wait_ready()
    devnet = next(p for p in alive(pids) if b"devnet" in Path(f"/proc/{p}/cmdline").read_bytes())
    os.kill(devnet, signal.SIGKILL)
    assert stack.process.wait(60) == 1
    assert "exited with code -9; stopping everything." in stack.output()
    assert _wait_gone(pids) == set()


def test_killing_the_supervisor_takes_its_children_along(var_dir) -> None:
    stack = Stack(var_dir)
    pids = stack.wait_ready()
    stack.process.kill()  # SIGKILL: no chance to clean up; the kernel's parent-death signal does it
    stack.process.wait(10)
    assert _wait_gone(pids) == set()


def test_bad_settings_are_reported_without_a_traceback(tmp_path) -> None:
    env = dict(os.environ, DINARI_VAR_DIR=str(tmp_path), DEVNET_NODES="three")
    result = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "up"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "DEVNET_NODES must be a whole number (got 'three')" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
