"""Async client for a Dinari node: JSON-RPC 2.0, /health, /peers, Prometheus /metrics.

Speaks the interface of the real node (shared/spec/dinari-node-api.md): named
params, errors with HTTP 200, Bearer/ApiKey auth. Every failure becomes a
``NodeError`` with a reason a person can read; nothing here raises anything else.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

RPC_UNAUTHORIZED = -32001
RPC_RATE_LIMITED = -32002
RPC_BLOCK_NOT_FOUND = -32004
MAX_RESPONSE_BYTES = 4 * 1024 * 1024

_ids = itertools.count(1)


class NodeError(Exception):
    """The node could not be asked or did not answer sensibly."""

    def __init__(self, reason: str, *, rpc_code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.rpc_code = rpc_code

    @property
    def rate_limited(self) -> bool:
        return self.rpc_code == RPC_RATE_LIMITED


class NodeCapabilityMissing(NodeError):
    """The node does not offer an optional endpoint the playbook names."""


@dataclass(frozen=True)
class NodeResponse:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class NodeAddress:
    rpc_url: str
    metrics_url: str = ""
    auth_header: str | None = None  # "Bearer ..." or "ApiKey ..."; never logged


class NodeClient:
    def __init__(self, address: NodeAddress, client: httpx.AsyncClient, *, timeout: float):
        self.address = address
        self.client = client
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.address.auth_header:
            headers["Authorization"] = self.address.auth_header
        return headers

    async def _send(self, method: str, url: str, body: bytes | None = None) -> NodeResponse:
        """One request; the body is read in chunks and refused past MAX_RESPONSE_BYTES."""
        try:
            request = self.client.build_request(
                method, url, content=body, headers=self._headers(), timeout=self.timeout
            )
            response = await self.client.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():  # decoded: a gzip bomb is capped too
                    size += len(chunk)
                    if size > MAX_RESPONSE_BYTES:
                        raise NodeError(f"response larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB")
                    chunks.append(chunk)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise NodeError(f"timed out after {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise NodeError(f"connection failed: {exc.__class__.__name__}: {exc}"[:300]) from None
        return NodeResponse(response.status_code, b"".join(chunks))

    @staticmethod
    def _json(response: NodeResponse, what: str) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise NodeError(f"{what}: HTTP {response.status_code}, body is not JSON") from None

    async def rpc(self, method: str, params: dict[str, Any] | None = None) -> Any:
        payload = {"jsonrpc": "2.0", "method": method, "params": params or {}, "id": next(_ids)}
        response = await self._send("POST", self.address.rpc_url, json.dumps(payload).encode())
        body = self._json(response, method)
        if not isinstance(body, dict):
            raise NodeError(f"{method}: answer is not a JSON-RPC object")
        error = body.get("error")
        if error is not None:
            code = error.get("code") if isinstance(error, dict) else None
            message = error.get("message", "") if isinstance(error, dict) else str(error)
            raise NodeError(
                f"{method}: RPC error {code}: {message}"[:300], rpc_code=code if isinstance(code, int) else None
            )
        if response.status_code != 200:
            raise NodeError(f"{method}: HTTP {response.status_code}")
        if "result" not in body:
            raise NodeError(f"{method}: answer has neither result nor error")
        return body["result"]

    def _base_url(self) -> str:
        return self.address.rpc_url.rstrip("/")

    async def health(self) -> dict[str, Any]:
        response = await self._send("GET", f"{self._base_url()}/health")
        body = self._json(response, "health")
        if not isinstance(body, dict):
            raise NodeError("health: answer is not an object")
        return body

    async def peers(self) -> dict[str, Any]:
        response = await self._send("GET", f"{self._base_url()}/peers")
        if response.status_code == 404:
            raise NodeCapabilityMissing("GET /peers is not supported by this node")
        body = self._json(response, "peers")
        if not isinstance(body, dict) or "peer_count" not in body:
            raise NodeError("peers: answer has no peer_count")
        return body

    async def admin(self, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST to one of the playbook's /admin/... calls (an optional capability)."""
        body = json.dumps(payload).encode() if payload is not None else b""
        response = await self._send("POST", f"{self._base_url()}/admin/{path.lstrip('/')}", body)
        if response.status_code in (404, 405, 501):
            raise NodeCapabilityMissing(f"POST /admin/{path} is not supported by this node")
        answer = self._json(response, f"admin/{path}")
        if response.status_code >= 400:
            message = answer.get("error") if isinstance(answer, dict) else answer
            raise NodeError(f"admin/{path}: HTTP {response.status_code}: {message}"[:300])
        return answer if isinstance(answer, dict) else {"result": answer}

    async def metrics(self) -> dict[str, float]:
        """Prometheus samples by name (labels summed), e.g. {"dinari_p2p_connected_peers": 2}."""
        if not self.address.metrics_url:
            raise NodeCapabilityMissing("no metrics URL configured")
        response = await self._send("GET", self.address.metrics_url)
        if response.status_code != 200:
            raise NodeError(f"metrics: HTTP {response.status_code}")
        return parse_metrics(response.text)


def parse_metrics(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                values[sample.name] = values.get(sample.name, 0.0) + float(sample.value)
    except ValueError as exc:
        raise NodeError(f"metrics: not Prometheus text ({exc})"[:300]) from None
    return values
