"""Child processes that never outlive the process that started them."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    def setup() -> None:
        """Runs in the child before exec: the kernel sends SIGTERM when the parent dies,
        even when the parent is killed with SIGKILL and cannot clean up."""
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return setup


def preexec() -> Callable[[], None] | None:
    return _die_with_parent(os.getpid()) if sys.platform.startswith("linux") else None


def spawn(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    """Start a child (argument list, never a shell) tied to our lifetime."""
    return subprocess.Popen(args, preexec_fn=preexec(), **kwargs)  # type: ignore[call-overload]  # noqa: PLW1509


def stop(process: subprocess.Popen[bytes], *, grace_seconds: float = 10.0) -> int | None:
    """SIGTERM, wait, then SIGKILL. Returns the exit code."""
    if process.poll() is not None:
        return process.returncode
    try:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=5)
    except ProcessLookupError:
        return process.poll()


def python_executable() -> str:
    return os.environ.get("DINARI_PYTHON", sys.executable)
