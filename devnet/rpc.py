"""JSON-RPC 2.0 dispatcher and the HTTP handler of the RPC port.

Batch requests (a JSON array) are answered with a single -32600 error: the
console never batches and the real node's support for it is undocumented.
Requests without an `id` still get an answer (id null) rather than being
treated as silent notifications, which keeps drills observable.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from devnet import errors
from devnet.chain import is_uint
from devnet.errors import RpcError
from devnet.node import KNOWN_FAULTS
from devnet.p2p import rfc3339

if TYPE_CHECKING:
    from devnet.auth import Authenticator, RateLimiter
    from devnet.node import Node
    from devnet.p2p import PeerManager

log = logging.getLogger("devnet.rpc")
MAX_BODY = 1 << 20  # 1 MiB, as on the real node
DRAIN_LIMIT = 16 << 20  # read (and discard) oversized bodies up to this so the client sees our answer
BLOCK_KEYS = (
    "hash", "height", "timestamp", "difficulty", "nonce", "prevHash",
    "merkleRoot", "stateRoot", "miner", "transactions", "txCount",
)  # fmt: skip


class RpcApi:
    """The method table; each method takes the params object and returns a result."""

    def __init__(self, node: Node, peers: PeerManager, auth: Authenticator, limiter: RateLimiter | None) -> None:
        self.node = node
        self.peers = peers
        self.auth = auth
        self.limiter = limiter
        self.methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "chain_getHeight": lambda p: {"height": self.node.height},
            "chain_getBlock": self.get_block,
            "chain_getStats": lambda p: self.node.chain_stats(),
            "tx_getStats": lambda p: self.node.tx_stats(),
            "miner_status": lambda p: self.node.miner_status(),
            "tx_send": self.node.submit_tx,
            "tx_get": self.get_tx,
        }

    def get_block(self, params: dict[str, Any]) -> dict[str, Any]:
        node = self.node
        with node.lock:
            if "blockHash" in params:
                wanted = params["blockHash"]
                if not isinstance(wanted, str):
                    raise RpcError(errors.INVALID_PARAMS, "param 'blockHash' must be a string")
                block = next((b for b in reversed(node.blocks) if b["hash"] == wanted.lower()), None)
            else:
                height = params.get("height", params.get("blockHeight"))
                if height is None:
                    raise RpcError(errors.INVALID_PARAMS, "give one of 'height', 'blockHeight', 'blockHash'")
                if not is_uint(height):
                    raise RpcError(errors.INVALID_PARAMS, "block height must be a non-negative integer")
                block = node.blocks[height] if height <= node.height else None
        if block is None:
            raise RpcError(errors.NOT_FOUND, "block not found")
        return {k: block[k] for k in BLOCK_KEYS}

    def get_tx(self, params: dict[str, Any]) -> dict[str, Any]:
        tx_hash = params.get("hash", params.get("txHash"))
        if not isinstance(tx_hash, str):
            raise RpcError(errors.INVALID_PARAMS, "param 'hash' must be a string")
        found = self.node.find_tx(tx_hash.lower())
        if found is None:
            raise RpcError(errors.NOT_FOUND, "transaction not found")
        return found

    def handle(self, raw: bytes) -> tuple[dict[str, Any], str]:  # noqa: PLR0911 - one return per error code
        """Parse and run one request body; returns (response, method label for metrics)."""
        try:
            req = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return error_response(None, errors.PARSE_ERROR, "parse error"), "invalid"
        if isinstance(req, list):
            return error_response(None, errors.INVALID_REQUEST, "batch requests are not supported"), "invalid"
        if not isinstance(req, dict):
            return error_response(None, errors.INVALID_REQUEST, "request must be a JSON object"), "invalid"
        req_id = req.get("id")
        if not isinstance(req_id, (str, int, type(None))) or isinstance(req_id, bool):
            req_id = None
        if req.get("jsonrpc") != "2.0":
            return error_response(req_id, errors.INVALID_REQUEST, 'jsonrpc must be "2.0"'), "invalid"
        method = req.get("method")
        if not isinstance(method, str) or not method:
            return error_response(req_id, errors.INVALID_REQUEST, "method must be a non-empty string"), "invalid"
        params = req.get("params", {})
        if params is None:
            params = {}
        fn = self.methods.get(method)
        if fn is None:
            return error_response(req_id, errors.METHOD_NOT_FOUND, f"method {method!r} not found"), "unknown"
        if not isinstance(params, dict):
            return error_response(req_id, errors.INVALID_PARAMS, "params must be an object"), method
        try:
            return {"jsonrpc": "2.0", "result": fn(params), "id": req_id}, method
        except RpcError as exc:
            return error_response(req_id, exc.code, exc.message), method
        except Exception:
            log.exception("internal error in %s", method)
            return error_response(req_id, errors.INTERNAL_ERROR, "internal error"), method


def error_response(req_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": req_id}


def make_handler(api: RpcApi) -> type[BaseHTTPRequestHandler]:
    node = api.node

    class Handler(BaseHTTPRequestHandler):
        server_version = "dinari-devnet/1.0"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.client_address[0], format % args)

        # ----- plumbing --------------------------------------------------------
        def _send(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Dinari-Node", node.cfg.name)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _length(self) -> int:
            try:
                return max(0, int(self.headers.get("Content-Length", "0")))
            except ValueError:
                return -1

        def _read_body(self) -> bytes | None:
            """The body, or None when it is over the limit (then drained as far as sane)."""
            length = self._length()
            if length > MAX_BODY:
                if length <= DRAIN_LIMIT:
                    remaining = length
                    while remaining > 0:
                        chunk = self.rfile.read(min(65536, remaining))
                        if not chunk:
                            break
                        remaining -= len(chunk)
                self.close_connection = True
                return None
            return self.rfile.read(length) if length > 0 else b""

        def _rate_ok(self) -> bool:
            if api.limiter is None or api.limiter.allow(self.client_address[0]):
                return True
            node.metrics.rate_limit_hits.inc()
            return False

        def _count(self, method: str, ok: bool, started: float) -> None:
            node.metrics.api_requests.inc(1.0, method, "ok" if ok else "error")
            node.metrics.api_duration.observe(time.perf_counter() - started)

        def _rpc_fail(self, code: int, message: str, label: str, started: float) -> None:
            self._send(200, error_response(None, code, message))
            self._count(label, False, started)

        def _peer_gate(self) -> bool:
            """Track a calling peer as inbound; refuse peers while the drop_peers fault is on."""
            peer_name = self.headers.get("X-Dinari-Peer")
            if not peer_name:
                return True
            if "drop_peers" in node.faults:
                return False
            raw_height = self.headers.get("X-Dinari-Peer-Height", "")
            height = int(raw_height) if raw_height.isdigit() else None
            api.peers.note_inbound(peer_name[:128], self.headers.get("X-Dinari-Peer-Url"), height)
            return True

        # ----- JSON-RPC on / -----------------------------------------------------
        def _rpc(self) -> None:
            started = time.perf_counter()
            if not self._rate_ok():
                self._read_body()
                return self._rpc_fail(errors.RATE_LIMITED, "rate limit exceeded", "rate_limited", started)
            raw = self._read_body()
            if raw is None:
                return self._rpc_fail(errors.REQUEST_TOO_LARGE, "request too large (limit 1 MiB)", "too_large", started)
            if not api.auth.check(self.headers.get("Authorization")):
                return self._rpc_fail(errors.UNAUTHORIZED, "unauthorized", "unauthorized", started)
            if not self._peer_gate():
                return self._rpc_fail(errors.SERVER_ERROR, "peer connections refused", "peer_refused", started)
            response, label = api.handle(raw)
            self._send(200, response)
            self._count(label, "error" not in response, started)

        def _not_post(self) -> None:
            started = time.perf_counter()
            if self.path.split("?")[0] != "/":
                self._send(404, {"ok": False, "error": f"no such path {self.path}"})
                return
            self._read_body()
            message = f"HTTP method {self.command} not allowed; use POST"
            self._rpc_fail(errors.INVALID_REQUEST, message, "invalid", started)

        # ----- HTTP verbs ----------------------------------------------------------
        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            if path == "/":
                return self._rpc()
            if path.startswith("/admin/"):
                return self._admin_post(path)
            self._send(404, {"ok": False, "error": f"no such path {path}"})

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/health":
                return self._health()
            if path in ("/peers", "/admin/faults"):
                if not self._gate_http():
                    return
                if path == "/peers":
                    self._send(200, api.peers.summary())
                else:
                    self._send(200, {"ok": True, "active": sorted(node.faults), "corrupted": node.corruption})
                return
            self._not_post()

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _not_post

        # ----- plain HTTP endpoints ------------------------------------------------
        def _health(self) -> None:
            now = rfc3339(time.time())
            if node.corruption is not None:
                self._send(503, {"status": "unhealthy", "time": now, "reason": node.corruption})
            else:
                self._send(200, {"status": "healthy", "time": now})

        def _gate_http(self) -> bool:
            if not self._rate_ok():
                self._send(429, {"ok": False, "error": "rate limit exceeded"})
                return False
            if not api.auth.check(self.headers.get("Authorization")):
                self._send(401, {"ok": False, "error": "unauthorized"})
                return False
            return True

        def _admin_post(self, path: str) -> None:
            started = time.perf_counter()
            if not self._gate_http():
                return
            raw = self._read_body()
            if raw is None:
                self._send(413, {"ok": False, "error": "request too large (limit 1 MiB)"})
                return
            switches: dict[str, Callable[[], dict[str, Any]]] = {
                "/admin/circuit-breaker/open": lambda: self._set("circuit_open", True),
                "/admin/circuit-breaker/close": lambda: self._set("circuit_open", False),
                "/admin/mempool/freeze": lambda: self._set("frozen", True),
                "/admin/mempool/unfreeze": lambda: self._set("frozen", False),
            }
            if path in switches:
                self._send(200, {"ok": True, **switches[path]()})
            elif path == "/admin/faults":
                self._fault(raw)
            else:
                self._send(404, {"ok": False, "error": f"no such admin path {path}"})
            self._count(path, True, started)

        def _set(self, switch: str, value: bool) -> dict[str, Any]:
            with node.lock:
                if switch == "circuit_open":
                    node.circuit_open = value
                else:
                    node.mempool.frozen = value
                log.warning("admin: %s=%s", switch, value)
                return {"circuitBreaker": "open" if node.circuit_open else "closed", "frozen": node.mempool.frozen}

        def _fault(self, raw: bytes) -> None:
            try:
                body = json.loads(raw or b"{}")
            except (ValueError, UnicodeDecodeError):
                self._send(400, {"ok": False, "error": "body must be JSON", "field": "body"})
                return
            fault = body.get("fault") if isinstance(body, dict) else None
            if fault not in KNOWN_FAULTS:
                msg = f"unknown fault {fault!r}; expected one of {', '.join(KNOWN_FAULTS)}"
                self._send(400, {"ok": False, "error": msg, "field": "fault"})
                return
            assert isinstance(body, dict) and isinstance(fault, str)
            try:
                result = node.apply_fault(fault, body)
            except ValueError as exc:
                self._send(400, {"ok": False, "error": f"bad {exc}", "field": str(exc)})
                return
            if fault == "drop_peers":
                api.peers.clear()
            log.warning("fault injected: %s", fault)
            self._send(200, {"ok": True, **result})

    return Handler
