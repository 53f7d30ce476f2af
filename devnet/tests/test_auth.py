"""-32001 unauthorized (API key and HS256 JWT) and -32002 rate limiting."""

from __future__ import annotations

import time

import pytest

from devnet.auth import make_jwt
from devnet.tests.conftest import StartNode
from devnet.tests.util import RpcFailure

KEY = "s3cret-key"
SECRET = "jwt-signing-secret"


def _code(call: object) -> int:
    assert callable(call)
    with pytest.raises(RpcFailure) as exc:
        call()
    return exc.value.code


def test_api_key_and_jwt(start_devnet: StartNode) -> None:
    node = start_devnet("auth-1", "--block-interval", "0.3", "--api-key", KEY, "--jwt-secret", SECRET)
    assert _code(lambda: node.rpc("chain_getHeight")) == -32001
    assert _code(lambda: node.rpc("chain_getHeight", headers={"Authorization": "ApiKey wrong"})) == -32001
    assert _code(lambda: node.rpc("chain_getHeight", headers={"Authorization": KEY})) == -32001
    assert "height" in node.rpc("chain_getHeight", headers={"Authorization": f"ApiKey {KEY}"})

    good = make_jwt(SECRET, {"sub": "console", "exp": int(time.time()) + 60})
    assert "height" in node.rpc("chain_getHeight", headers={"Authorization": f"Bearer {good}"})
    bad_sig = make_jwt("other-secret", {"sub": "console", "exp": int(time.time()) + 60})
    expired = make_jwt(SECRET, {"sub": "console", "exp": int(time.time()) - 5})
    for token in (bad_sig, expired, "not.a.jwt", good[:-3] + "AAA"):
        assert _code(lambda t=token: node.rpc("chain_getHeight", headers={"Authorization": f"Bearer {t}"})) == -32001

    # /health stays open; the playbook extras answer HTTP 401 without credentials.
    assert node.get("/health")[0] == 200
    status, body = node.get("/peers")
    assert status == 401 and body["ok"] is False
    assert node.post("/admin/mempool/freeze")[0] == 401
    assert node.post("/admin/mempool/freeze", headers={"Authorization": f"ApiKey {KEY}"})[0] == 200


def test_rate_limit(start_devnet: StartNode) -> None:
    node = start_devnet("rl-1", "--no-mine", "--rate-limit", "1", "--rate-burst", "3")
    codes = []
    for _ in range(8):
        try:
            node.rpc("chain_getHeight")
            codes.append(0)
        except RpcFailure as exc:
            codes.append(exc.code)
    assert codes[:3] == [0, 0, 0]
    assert -32002 in codes
    hits = [ln for ln in node.metrics_text().splitlines() if ln.startswith("dinari_api_rate_limit_hits_total ")]
    assert hits and float(hits[0].split()[1]) >= 1
