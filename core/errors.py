"""The one error type of the console's services.

Services raise these; the API turns them into JSON with the right HTTP status,
pages show the message, management commands print it without a traceback.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """A refusal with a message a person can act on."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, details: dict[str, object] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(ConsoleError):
    status_code = 400
    code = "invalid"


class Conflict(ConsoleError):
    """The request is valid but the current state does not allow it."""

    status_code = 409
    code = "conflict"


class Forbidden(ConsoleError):
    status_code = 403
    code = "forbidden"


class NotFound(ConsoleError):
    status_code = 404
    code = "not_found"
