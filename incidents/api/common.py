from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime
from rest_framework.request import Request

from core.errors import InvalidInput


def query_time(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None or value.tzinfo is None:
        raise InvalidInput(f"{name} must be an ISO 8601 date-time with a time zone (got {raw!r}).", field=name)
    return value


def query_int(request: Request, name: str, default: int = 0) -> int:
    raw = request.query_params.get(name)
    if not raw:
        return default
    if not raw.isdigit():
        raise InvalidInput(f"{name} must be a non-negative integer (got {raw!r}).", field=name)
    return int(raw)
