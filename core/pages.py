"""Helpers for HTML pages (the API has its exception handler)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.http import HttpRequest

from core.errors import Conflict, InvalidInput


@contextmanager
def refusals_as_messages(request: HttpRequest) -> Iterator[None]:
    """Run a form's action: bad input (400) or a state conflict (409) becomes a message on the
    page the view redirects to; 403/404 still propagate to ConsoleErrorMiddleware's error page."""
    try:
        yield
    except (InvalidInput, Conflict) as exc:
        messages.error(request, exc.message)
