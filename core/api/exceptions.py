"""Every API error is JSON: {"error": {"code", "message", "field"?, "fields"?}}."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ConsoleError


def _first_message(detail: Any, prefix: str = "") -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            return _first_message(value, f"{prefix}{name}: " if name else prefix)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0], prefix)
    return f"{prefix}{detail}"


def console_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConsoleError):
        return Response({"error": exc.as_dict()}, status=exc.status_code)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body: dict[str, Any] = {"code": "invalid", "message": _first_message(exc.detail)}
        if isinstance(exc.detail, dict):
            body["fields"] = exc.detail
            body["field"] = next(iter(exc.detail))
        response.data = {"error": body}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        response.data = {
            "error": {
                "code": exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code,
                "message": _first_message(exc.detail),
            }
        }
    return response
