"""A real HTTP receiver on loopback for webhook tests."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Answers with the statuses in ``script`` (then 200) and records each request and its arrival time.

    With ``held=True`` every request waits until ``release`` is set (at most 3 s, below the
    webhook timeout), so a test can prove the sender never blocks on a slow receiver.
    """

    def __init__(self, script: list[int], *, held: bool = False) -> None:
        self.script = list(script)
        self.release = threading.Event()
        if not held:
            self.release.set()
        self.arrivals: list[float] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.arrivals.append(time.monotonic())
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                receiver.release.wait(timeout=3)
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
