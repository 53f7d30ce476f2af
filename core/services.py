from __future__ import annotations

from typing import Any

from django.db import models

from core.models import AuditEvent


def audit_record(
    *, actor: Any, verb: str, target: models.Model | None = None, data: dict[str, Any] | None = None
) -> AuditEvent:
    """Append one audit entry; callers pass no secrets in ``data``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
