"""JSON-RPC error codes of the Dinari node (see the node interface spec, section 1)."""

from __future__ import annotations

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000
UNAUTHORIZED = -32001
RATE_LIMITED = -32002
REQUEST_TOO_LARGE = -32003
NOT_FOUND = -32004


class RpcError(Exception):
    """Raised by node methods; the dispatcher turns it into an `error` object."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
