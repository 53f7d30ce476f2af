"""Roles of the console, from least to most trusted.

Each role includes the rights of the ones before it. Roles are Django groups
(created by a migration) so admins manage membership in the Django admin.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from core.errors import Forbidden


class Role(StrEnum):
    VIEWER = "viewer"
    RESPONDER = "responder"
    COMMANDER = "commander"
    ADMIN = "admin"


ROLE_ORDER: tuple[Role, ...] = (Role.VIEWER, Role.RESPONDER, Role.COMMANDER, Role.ADMIN)

# Not a rung on the ladder: membership grants sight of level 3-4 security incidents.
SECURITY_GROUP = "security"


def role_of(user: Any) -> Role | None:
    """The highest role the user holds, or None for anonymous/roleless users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    names = _group_names(user)
    for role in reversed(ROLE_ORDER):
        if role.value in names:
            return role
    return None


def has_role(user: Any, minimum: Role) -> bool:
    held = role_of(user)
    return held is not None and ROLE_ORDER.index(held) >= ROLE_ORDER.index(minimum)


def require_role(user: Any, minimum: Role, *, doing: str) -> None:
    """Raise Forbidden unless the user holds at least ``minimum``."""
    if not has_role(user, minimum):
        raise Forbidden(f"{doing} needs the {minimum.value} role.")


def in_security_group(user: Any) -> bool:
    if role_of(user) is Role.ADMIN:
        return True
    return SECURITY_GROUP in _group_names(user)


def _group_names(user: Any) -> set[str]:
    # Cached on the user object: permission checks run many times per request.
    cached: set[str] | None = getattr(user, "_console_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._console_group_names = cached
    return cached
