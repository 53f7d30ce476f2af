from __future__ import annotations

from django.http import HttpRequest

from core.roles import role_of


def roles(request: HttpRequest) -> dict[str, object]:
    role = role_of(getattr(request, "user", None))
    return {"console_role": role.value if role else None}
