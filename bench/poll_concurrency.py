"""How long one poll round takes for many slow nodes, against polling them one by one.

    .venv/bin/python -m bench.poll_concurrency [--nodes 200] [--latency-ms 50]

A loopback HTTP server answers like a Dinari node (chain_getStats, chain_getBlock,
/metrics) after a fixed delay; the real poller (monitoring.poller.poll_targets)
polls N node addresses pointing at it. Prints the wall time, the time the same
work would take sequentially, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.node_client import NodeAddress
from monitoring.poller import PollTarget, poll_targets

METRICS = "dinari_p2p_connected_peers 21\ndinari_blockchain_orphan_blocks 0\n"


def make_handler(latency: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one connection per request, like many distinct nodes

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, body: bytes, content_type: str) -> None:
            time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._send(METRICS.encode(), "text/plain; version=0.0.4")

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if request["method"] == "chain_getStats":
                result: dict[str, object] = {"height": 1000, "tipHash": "0xabc", "mempoolSize": 3, "miningActive": True}
            else:
                result = {"height": 1000, "timestamp": int(time.time()), "hash": "0xabc"}
            self._send(
                json.dumps({"jsonrpc": "2.0", "result": result, "id": request["id"]}).encode(), "application/json"
            )

    return Handler


class FakeNodeServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 4096  # listen() backlog: hundreds of nodes connect at once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    server = FakeNodeServer(("127.0.0.1", 0), make_handler(latency))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    targets = [
        PollTarget(i, NodeAddress(f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/metrics"))
        for i in range(args.nodes)
    ]
    started = time.perf_counter()
    results = asyncio.run(poll_targets(targets, timeout=30))
    elapsed = time.perf_counter() - started
    server.shutdown()
    ok = sum(r.reachable for r in results)
    errors = sorted({r.error for r in results if not r.reachable})
    if errors:
        print("errors:", errors[:5])
    # Per node: stats and metrics in parallel, then the tip block: two latencies on the critical path, three requests.
    sequential = args.nodes * 3 * latency
    print(f"nodes polled        : {args.nodes} ({ok} reachable)")
    print(f"per-request latency : {args.latency_ms:.0f} ms")
    print(f"one round, measured : {elapsed:.2f} s")
    print(f"one by one, computed: {sequential:.2f} s")
    print(f"speed-up            : {sequential / elapsed:.1f}x")


if __name__ == "__main__":
    main()
