"""DRF permission classes mapped onto the console's roles."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from core.roles import Role, has_role


class _RolePermission(BasePermission):
    minimum: Role = Role.VIEWER
    message = "This needs a console role."

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_role(request.user, self.minimum)


class IsViewer(_RolePermission):
    minimum = Role.VIEWER
    message = "You need at least the viewer role."


class IsResponder(_RolePermission):
    minimum = Role.RESPONDER
    message = "You need at least the responder role."


class IsCommander(_RolePermission):
    minimum = Role.COMMANDER
    message = "You need at least the commander role."


class IsAdmin(_RolePermission):
    minimum = Role.ADMIN
    message = "You need the admin role."


class ReadViewerWriteAdmin(BasePermission):
    """Viewers read; only admins change (registries such as nodes)."""

    message = "Reading needs the viewer role; changing needs the admin role."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return has_role(request.user, Role.VIEWER)
        return has_role(request.user, Role.ADMIN)
