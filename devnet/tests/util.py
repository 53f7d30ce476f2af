"""Helpers for the devnet tests: start a node as a subprocess and talk to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


class DevnetNode:
    def __init__(self, name: str, datadir: Path, args: list[str]) -> None:
        self.name = name
        self.datadir = datadir
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.ready: dict[str, Any] = {}
        self.stderr_path = datadir.parent / f"{name}.stderr.log"

    @property
    def rpc_url(self) -> str:
        return str(self.ready["rpc_url"])

    @property
    def metrics_url(self) -> str:
        return str(self.ready["metrics_url"])

    def start(self, timeout: float = 15.0) -> DevnetNode:
        cmd = [sys.executable, "-m", "devnet", "--name", self.name, "--datadir", str(self.datadir)]
        cmd += ["--rpc-port", "0", "--metrics-port", "0", *self.args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        stderr = open(self.stderr_path, "a")  # handed to the child, closed right after
        self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
        stderr.close()
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line or self.proc.poll() is not None:
                break
        if not line:
            self.stop()
            raise RuntimeError(f"node {self.name} did not become ready: {self.stderr_path.read_text()[-2000:]}")
        self.ready = json.loads(line)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        code = self.proc.returncode
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
        return code

    def rpc(self, method: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        """Call a method; returns result or raises RpcFailure with the error object."""
        reply = self.rpc_raw({"jsonrpc": "2.0", "method": method, "params": params or {}, "id": 1}, headers)
        if "error" in reply:
            raise RpcFailure(reply["error"])
        return reply["result"]

    def rpc_raw(self, payload: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        status, doc = http(self.rpc_url, "POST", body, headers)
        assert status == 200, (status, doc)
        assert isinstance(doc, dict)
        return doc

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return http(self.rpc_url + path, "GET", None, headers)

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        return http(self.rpc_url + path, "POST", data, headers)

    def metrics_text(self) -> str:
        with urllib.request.urlopen(self.metrics_url, timeout=5) as resp:
            return str(resp.read().decode())

    def height(self) -> int:
        return int(self.rpc("chain_getHeight")["height"])


class RpcFailure(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = int(error["code"])
        self.message = str(error.get("message"))


def http(url: str, method: str, body: bytes | None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    return status, json.loads(raw) if raw else None


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def run_cli(*args: str) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "devnet", *args], check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {"stderr": proc.stderr}
