"""Parsing of user-supplied scalars (query strings, form fields, command arguments).

Every parser turns bad input into ``InvalidInput`` naming the field, never a
ValueError/OverflowError that would surface as a 500 or a traceback.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from core.errors import InvalidInput

# Instants outside these years are refused: far-off dates overflow once a
# shift or period is added to them, and no incident or shift lives there.
MIN_YEAR = 1900
MAX_YEAR = 9000
# Ids above this do not fit a 64-bit primary key (SQLite raises OverflowError on them).
MAX_ID = 2**63 - 1


def parse_instant(raw: str, *, field: str) -> datetime:
    """An ISO 8601 date-time with a time zone."""
    try:
        value = parse_datetime(raw)
    except ValueError:  # well-formed but impossible: 2024-02-30, +99:00
        value = None
    if value is None or value.tzinfo is None:
        raise InvalidInput(f"{field} must be an ISO 8601 date-time with a time zone (got {raw!r}).", field=field)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidInput(f"{field} must be between the years {MIN_YEAR} and {MAX_YEAR} (got {raw!r}).", field=field)
    return value


def parse_day(raw: str, *, field: str) -> date:
    """A calendar date, YYYY-MM-DD."""
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD) (got {raw!r}).", field=field)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidInput(f"{field} must be between the years {MIN_YEAR} and {MAX_YEAR} (got {raw!r}).", field=field)
    return value


def parse_id(value: Any, *, field: str) -> int:
    """A positive database id (int or digit string)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(f"{field} must be an id (a positive integer) (got {value!r}).", field=field)
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise InvalidInput(f"{field} must be an id (a positive integer) (got {value!r}).", field=field)
    return int(text)


def clean_text(value: Any, *, field: str, max_length: int) -> str:
    """Stripped text without NUL characters (PostgreSQL refuses them) and at most ``max_length`` long."""
    text = str(value or "").strip()
    if "\x00" in text:
        raise InvalidInput(f"{field} must not contain NUL characters.", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters.", field=field)
    return text


def lookup_id(value: Any) -> int | None:
    """The id to look up, or None when ``value`` cannot be one (the caller answers 404)."""
    try:
        return parse_id(value, field="id")
    except InvalidInput:
        return None
