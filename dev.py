#!/usr/bin/env python3
"""Set up and run the Dinari Ops Console with one command.

    python3 dev.py up      # venv + deps, migrate, admin user, Redis, 3 devnet nodes, worker, beat, web
    python3 dev.py test    # venv + deps, ruff, mypy, the whole test suite (extra args go to pytest)

Only the standard library is used until the virtual environment exists; then
the script re-runs itself inside it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("DINARI_VENV", ROOT / ".venv"))
VAR = Path(os.environ.get("DINARI_VAR_DIR", ROOT / "var"))
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt", ROOT / "constraints.txt"]
USAGE = "usage: python3 dev.py up | test [pytest args...]"


# --- bootstrap -----------------------------------------------------------------


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> None:
    """Create .venv and install the pinned requirements when they changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file also runs under an older system python
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    if not venv_python().exists():
        print(f"Creating the virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in REQUIREMENTS)).hexdigest()
    stamp = VENV / ".requirements.sha256"
    if not stamp.exists() or stamp.read_text().strip() != digest:
        print("Installing pinned requirements (first run takes a minute) ...", flush=True)
        pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, "-r", str(ROOT / "requirements-dev.txt"), "-c", str(ROOT / "constraints.txt")], check=True
        )
        stamp.write_text(digest)


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


# --- running the stack ---------------------------------------------------------


class Supervisor:
    """Starts children, prefixes their output, and stops them all together."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def add(self, name: str, process: subprocess.Popen[bytes]) -> None:
        self.children.append((name, process))
        if process.stdout is not None:
            threading.Thread(target=self._pump, args=(name, process), daemon=True).start()

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        from dinari_console import processes

        process = processes.spawn(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.add(name, process)
        return process

    @staticmethod
    def _pump(name: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            sys.stdout.write(f"[{name:>8}] {raw.decode(errors='replace')}")
            sys.stdout.flush()

    def wait(self) -> int:
        """Block until Ctrl-C / SIGTERM (exit 0) or until a child dies (exit 1)."""
        while not self.stopping:
            for name, process in self.children:
                if process.poll() is not None:
                    print(f"\n{name} exited with code {process.returncode}; stopping everything.", flush=True)
                    return 1
            time.sleep(0.5)
        return 0

    def stop_all(self) -> None:
        from dinari_console import processes

        for name, process in reversed(self.children):
            if process.poll() is None:
                print(f"stopping {name} ...", flush=True)
            processes.stop(process, grace_seconds=10)


def env_number(env: dict[str, str], name: str, default: float, kind: type, *, minimum: float) -> Any:
    raw = env.get(name, "")
    if raw == "":
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be {'a whole number' if kind is int else 'a number'} (got {raw!r})") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum} (got {raw!r})")
    return value


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


def start_devnet(supervisor: Supervisor, env: dict[str, str], *, count: int, interval: float) -> None:
    """Three peered devnet nodes (one producer), registered in the console."""
    from integrations.devnet_launcher import free_port, start_devnet_node

    ports = [free_port() for _ in range(count)]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    specs = []
    for index in range(count):
        name = f"devnet-{index + 1}"
        node = start_devnet_node(
            name=name,
            datadir=VAR / "devnet" / name,
            rpc_port=ports[index],
            peers=[u for i, u in enumerate(urls) if i != index],
            block_interval=interval,
            mine=index == 0,  # one producer: stopping it is the "mainnet stalled" drill
            extra_args=["--log-level", env.get("DEVNET_LOG_LEVEL", "WARNING")],
            stderr=subprocess.STDOUT,
        )
        supervisor.add(name, node.process)
        specs.append(f"{name}={node.rpc_url},{node.metrics_url}")
    if specs:
        manage("register_nodes", *specs, env=env)


def start_services(supervisor: Supervisor, env: dict[str, str]) -> tuple[str, str]:
    """Celery worker and beat, and the ASGI server; returns (host, port)."""
    celery = [sys.executable, "-m", "celery", "-A", "dinari_console"]
    concurrency = env.get("WORKER_CONCURRENCY", "4")
    supervisor.start("worker", [*celery, "worker", "--loglevel", "INFO", "--concurrency", concurrency], env)
    schedule = str(VAR / "celerybeat-schedule")
    supervisor.start("beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", schedule], env)
    host, port = env.get("HOST", "127.0.0.1"), env.get("PORT", "8000")
    uvicorn = [
        "uvicorn",
        "dinari_console.asgi:application",
        "--host",
        host,
        "--port",
        port,
        "--ws",
        "websockets-sansio",
    ]
    supervisor.start("web", [sys.executable, "-m", *uvicorn], env)
    return host, port


def command_up() -> int:
    from dinari_console.embedded_redis import EmbeddedRedis, EmbeddedRedisError
    from dinari_console.redis_urls import embedded_socket_path
    from integrations.devnet_launcher import DevnetStartError

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "dinari_console.settings")
    env.setdefault("DEBUG", "true")  # the local demo; production sets DEBUG=false and a SECRET_KEY
    try:
        node_count = env_number(env, "DEVNET_NODES", 3, int, minimum=0)
        interval = env_number(env, "DEVNET_BLOCK_INTERVAL", 3.0, float, minimum=0.05)
        env_number(env, "PORT", 8000, int, minimum=1)
        env_number(env, "WORKER_CONCURRENCY", 4, int, minimum=1)
    except ValueError as exc:
        print(f"could not start: {exc}", file=sys.stderr)
        return 2
    env["PYTHONUNBUFFERED"] = "1"
    VAR.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor()
    embedded: EmbeddedRedis | None = None

    def on_signal(signum: int, _frame: Any) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 1
    try:
        if not env.get("REDIS_URL"):
            embedded = EmbeddedRedis(embedded_socket_path(VAR)).start()
            assert embedded.process is not None
            supervisor.add("redis", embedded.process)  # if it dies, everything stops
            env["REDIS_URL"] = embedded.url
            print(f"Embedded Redis on {embedded.socket_path}", flush=True)
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("ensure_admin", env=env)

        start_devnet(supervisor, env, count=node_count, interval=interval)
        host, port = start_services(supervisor, env)
        print(f"\n  Dinari Ops Console: http://{host}:{port}/   (Ctrl-C stops everything)\n", flush=True)
        code = supervisor.wait()
    except (EmbeddedRedisError, DevnetStartError, subprocess.CalledProcessError) as exc:
        print(f"could not start: {exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        supervisor.stop_all()
        if embedded is not None:
            embedded.stop()
        print("all processes stopped.", flush=True)
    return code


# --- tests ---------------------------------------------------------------------------


def command_test(pytest_args: list[str]) -> int:
    tools = [
        ("ruff", [sys.executable, "-m", "ruff", "check", "."]),
        ("mypy", [sys.executable, "-m", "mypy", "."]),
    ]
    for name, args in tools:
        print(f"== {name}", flush=True)
        if subprocess.run(args, cwd=ROOT, check=False).returncode != 0:
            print(f"{name} failed.", file=sys.stderr)
            return 1
    print("== pytest", flush=True)
    return subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, check=False).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"up", "test"}:
        print(USAGE, file=sys.stderr)
        return 2
    ensure_venv()
    if not in_venv():
        os.execv(str(venv_python()), [str(venv_python()), str(Path(__file__).resolve()), *argv])
    sys.path.insert(0, str(ROOT))
    if argv[0] == "up":
        return command_up()
    return command_test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
