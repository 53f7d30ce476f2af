from __future__ import annotations

from datetime import datetime

from rest_framework.request import Request

from core.errors import InvalidInput
from incidents.inputs import MAX_ID, parse_instant


def query_time(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    return parse_instant(raw, field=name)


def query_int(request: Request, name: str, default: int = 0) -> int:
    raw = request.query_params.get(name)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_ID:
        raise InvalidInput(f"{name} must be a non-negative integer (got {raw!r}).", field=name)
    return int(raw)


def query_bool(request: Request, name: str) -> bool | None:
    """true/1 or false/0; absent or empty: None."""
    raw = (request.query_params.get(name) or "").lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise InvalidInput(f"{name} must be true or false (got {raw!r}).", field=name)
