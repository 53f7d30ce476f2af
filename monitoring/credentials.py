"""Resolve a node's credential reference to the secret, only at call time.

References are confined to variables named DINARI_NODE_* and files in
NODE_SECRETS_DIR: otherwise anyone allowed to register a node could point it at
their own server with ``env:SECRET_KEY`` and have the poller send that secret.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

from core.errors import InvalidInput

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class CredentialUnavailable(Exception):
    pass


def _secrets_dir() -> Path:
    return Path(settings.NODE_SECRETS_DIR).resolve()


def _problem(ref: str) -> str | None:
    """Why a reference is not allowed, or None when it is."""
    prefix = settings.NODE_CREDENTIAL_ENV_PREFIX
    if ref.startswith("env:"):
        name = ref[4:]
        if not ENV_NAME.match(name) or not name.startswith(prefix) or name == prefix:
            return f"env: references must name a variable starting with {prefix} (e.g. env:{prefix}MAINNET_KEY)"
        return None
    if ref.startswith("file:"):
        path = Path(ref[5:])
        if not path.is_absolute() or not path.resolve().is_relative_to(_secrets_dir()):
            return f"file: references must be absolute paths inside {_secrets_dir()}"
        return None
    return "credential_ref must be env:VARIABLE or file:/path (the secret itself is never stored)"


def validate_credential_ref(ref: str) -> str:
    ref = ref.strip()
    if ref:
        problem = _problem(ref)
        if problem:
            raise InvalidInput(f"{problem}.", field="credential_ref")
    return ref


def resolve_credential(ref: str) -> str:
    if not ref:
        raise CredentialUnavailable("no credential configured")
    problem = _problem(ref)  # checked again: settings may have narrowed since the node was saved
    if problem:
        raise CredentialUnavailable(f"credential reference refused: {problem}")
    if ref.startswith("env:"):
        value = os.environ.get(ref[4:], "")
        if not value:
            raise CredentialUnavailable(f"credential {ref} is not set")
        return value
    try:
        return Path(ref[5:]).read_text().strip()
    except OSError:
        raise CredentialUnavailable(f"credential {ref} cannot be read") from None
