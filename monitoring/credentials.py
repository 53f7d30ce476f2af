"""Resolve a node's credential reference to the secret, only at call time."""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.errors import InvalidInput

REF_PATTERN = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:/[^\0]+)$")


def validate_credential_ref(ref: str) -> str:
    ref = ref.strip()
    if ref and not REF_PATTERN.match(ref):
        raise InvalidInput(
            "credential_ref must be env:VARIABLE_NAME or file:/absolute/path (the secret itself is never stored).",
            field="credential_ref",
        )
    return ref


class CredentialUnavailable(Exception):
    pass


def resolve_credential(ref: str) -> str:
    if ref.startswith("env:"):
        value = os.environ.get(ref[4:], "")
        if not value:
            raise CredentialUnavailable(f"credential {ref} is not set")
        return value
    if ref.startswith("file:"):
        try:
            return Path(ref[5:]).read_text().strip()
        except OSError:
            raise CredentialUnavailable(f"credential {ref} cannot be read") from None
    raise CredentialUnavailable("no credential configured")
