"""A real HTTP server on loopback that misbehaves the way broken nodes do."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _handler(mode: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(404, b"{}")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            if mode == "hang":
                time.sleep(5)
                self._reply(200, b"{}")
            elif mode == "garbage":
                self._reply(200, b"<html>definitely not json", "text/html")
            elif mode == "rpc_error":
                error = {"code": -32603, "message": "internal error"}
                self._reply(200, json.dumps({"jsonrpc": "2.0", "error": error, "id": request.get("id")}).encode())
            elif mode == "rate_limited":
                error = {"code": -32002, "message": "rate limit exceeded"}
                self._reply(200, json.dumps({"jsonrpc": "2.0", "error": error, "id": request.get("id")}).encode())
            elif mode == "http_500":
                self._reply(500, b"oops", "text/plain")
            elif mode == "deep_json":
                self._reply(200, b"[" * 200_000 + b"]" * 200_000)
            elif mode == "huge_body":
                self._reply(200, b'{"jsonrpc": "2.0", "result": "' + b"x" * (5 * 1024 * 1024) + b'"}')
            elif mode in ("good", "huge_timestamp", "huge_height"):
                height = 10**20 if mode == "huge_height" else 5
                timestamp = 1e20 if mode == "huge_timestamp" else int(time.time())
                if request.get("method") == "chain_getStats":
                    result: object = {"height": height, "tipHash": "0xabc", "mempoolSize": 10**12}
                else:
                    result = {"height": height, "timestamp": timestamp, "hash": "0xabc"}
                self._reply(200, json.dumps({"jsonrpc": "2.0", "result": result, "id": request.get("id")}).encode())
            else:
                raise AssertionError(mode)

    return Handler


@contextmanager
def bad_node(mode: str) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(mode))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
