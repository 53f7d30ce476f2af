"""Hand-written Prometheus text exposition (format 0.0.4): no client library needed."""

from __future__ import annotations

import math
import os
import resource
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler
from typing import Any

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DEFAULT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    items = [f'{k}="{_escape(v)}"' for k, v in pairs]
    return "{" + ",".join(items) + "}" if items else ""


class Counter:
    def __init__(self, name: str, help_text: str, label_names: tuple[str, ...] = ()) -> None:
        self.name, self.help, self.label_names = name, help_text, label_names
        self._values: dict[tuple[str, ...], float] = {}
        self._lock = threading.Lock()
        if not label_names:
            self._values[()] = 0.0  # an unlabelled counter is always exported

    def inc(self, amount: float = 1.0, *labels: str) -> None:
        with self._lock:
            self._values[labels] = self._values.get(labels, 0.0) + amount

    def value(self, *labels: str) -> float:
        with self._lock:
            return self._values.get(labels, 0.0)

    def total(self) -> float:
        with self._lock:
            return sum(self._values.values())

    def render(self) -> list[str]:
        # Exposition uses the family name without _total in HELP/TYPE is also legal,
        # but keeping the full name matches what the real node exports.
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        with self._lock:
            for labels, v in sorted(self._values.items()):
                lines.append(f"{self.name}{_labels(zip(self.label_names, labels, strict=True))} {_fmt(v)}")
        return lines


class Histogram:
    def __init__(self, name: str, help_text: str, buckets: tuple[float, ...] = DEFAULT_BUCKETS) -> None:
        self.name, self.help, self.buckets = name, help_text, buckets
        self._counts = [0] * len(buckets)
        self._sum = 0.0
        self._count = 0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self._sum += value
            self._count += 1
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    self._counts[i] += 1

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        with self._lock:
            for bound, n in zip(self.buckets, self._counts, strict=True):
                lines.append(f'{self.name}_bucket{{le="{_fmt(bound)}"}} {n}')
            lines.append(f'{self.name}_bucket{{le="+Inf"}} {self._count}')
            lines.append(f"{self.name}_sum {_fmt(self._sum)}")
            lines.append(f"{self.name}_count {self._count}")
        return lines


def gauge(name: str, help_text: str, value: float) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {_fmt(value)}"]


class NodeMetrics:
    """Counters and histograms the node updates as things happen."""

    def __init__(self) -> None:
        self.blocks_processed = Counter(
            "dinari_blockchain_blocks_processed_total", "Blocks validated and added to the chain."
        )
        self.blocks_rejected = Counter("dinari_blockchain_blocks_rejected_total", "Blocks that failed validation.")
        self.reorgs = Counter("dinari_blockchain_reorgs_total", "Chain reorganisations.")
        self.block_processing = Histogram(
            "dinari_blockchain_block_processing_seconds", "Time to validate and store a block."
        )
        self.blocks_mined = Counter("dinari_mining_blocks_mined_total", "Blocks mined by this node.")
        self.tx_accepted = Counter(
            "dinari_mempool_transactions_accepted_total", "Transactions accepted into the mempool."
        )
        self.tx_rejected = Counter(
            "dinari_mempool_transactions_rejected_total", "Transactions rejected by the mempool."
        )
        self.api_requests = Counter(
            "dinari_api_requests_total", "API requests by method and outcome.", ("method", "status")
        )
        self.api_duration = Histogram("dinari_api_request_duration_seconds", "API request latency.")
        self.rate_limit_hits = Counter("dinari_api_rate_limit_hits_total", "Requests refused by the rate limiter.")

    def counters(self) -> list[Counter]:
        return [
            self.blocks_processed,
            self.blocks_rejected,
            self.reorgs,
            self.blocks_mined,
            self.tx_accepted,
            self.tx_rejected,
            self.api_requests,
            self.rate_limit_hits,
        ]


def process_metrics() -> list[str]:
    """Host figures for the console: resident memory and CPU time of this process."""
    rss = 0.0
    try:
        with open("/proc/self/statm") as fh:
            rss = float(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, IndexError):
        rss = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    times = os.times()
    lines = gauge("process_resident_memory_bytes", "Resident memory size in bytes.", rss)
    lines += [
        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
        "# TYPE process_cpu_seconds_total counter",
        f"process_cpu_seconds_total {_fmt(times.user + times.system)}",
    ]
    return lines


def render(metrics: NodeMetrics, gauges: list[tuple[str, str, float]]) -> str:
    lines: list[str] = []
    for name, help_text, value in gauges:
        lines += gauge(name, help_text, value)
    for counter in metrics.counters():
        lines += counter.render()
    lines += metrics.block_processing.render()
    lines += metrics.api_duration.render()
    lines += process_metrics()
    return "\n".join(lines) + "\n"


def make_metrics_handler(collect: Callable[[], str]) -> type[BaseHTTPRequestHandler]:
    """Serve `collect()` on GET /metrics (the metrics port has no auth, like the real node)."""

    class MetricsHandler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # scrapes every few seconds would drown the log

        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                body, status, ctype = b"not found\n", 404, "text/plain"
            else:
                body, status, ctype = collect().encode(), 200, CONTENT_TYPE
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return MetricsHandler
