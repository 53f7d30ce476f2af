"""API-key / HS256 JWT checks and a per-IP token-bucket rate limiter."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from typing import Any


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(secret: str, claims: dict[str, Any]) -> str:
    """HS256 token; used by peers of an auth-enabled node and by the tests."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(sig)}"


def verify_jwt(token: str, secret: str, now: float | None = None) -> bool:
    try:
        header_b64, payload_b64, sig_b64 = token.split(".")
        header = json.loads(_b64url_decode(header_b64))
        claims = json.loads(_b64url_decode(payload_b64))
        sig = _b64url_decode(sig_b64)
    except (ValueError, TypeError):
        return False
    # Pin the algorithm: never let the token choose "none" or another key type.
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        return False
    expected = hmac.new(secret.encode(), f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(sig, expected):
        return False
    current = time.time() if now is None else now
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if exp is not None and (not isinstance(exp, (int, float)) or current >= exp):
        return False
    if nbf is not None and (not isinstance(nbf, (int, float)) or current < nbf):
        return False
    return True


class Authenticator:
    """Dev mode (no key, no secret) lets everything through."""

    def __init__(self, api_key: str | None, jwt_secret: str | None) -> None:
        self.api_key = api_key
        self.jwt_secret = jwt_secret

    @property
    def enabled(self) -> bool:
        return bool(self.api_key or self.jwt_secret)

    def check(self, header: str | None) -> bool:
        if not self.enabled:
            return True
        if not header:
            return False
        scheme, _, credential = header.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() == "apikey" and self.api_key:
            return hmac.compare_digest(credential.encode(), self.api_key.encode())
        if scheme.lower() == "bearer" and self.jwt_secret:
            return verify_jwt(credential, self.jwt_secret)
        return False

    def outgoing_header(self) -> str | None:
        """What this node sends to its peers (same network, same credentials)."""
        if self.api_key:
            return f"ApiKey {self.api_key}"
        if self.jwt_secret:
            return "Bearer " + make_jwt(self.jwt_secret, {"sub": "peer", "exp": int(time.time()) + 60})
        return None


class RateLimiter:
    """Token bucket per client IP: `rate` tokens/s, at most `burst` saved up."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(max(1, burst))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > 10_000:  # bound memory under a spray of source IPs
                self._buckets.clear()
            return allowed
