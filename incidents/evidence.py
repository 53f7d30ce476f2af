"""Evidence providers: checklist items the system can check itself.

A checklist item with an ``evidence_key`` shows what the provider registered
under that key reports. Other apps register their providers when they load
(e.g. the backups app in its ``AppConfig.ready``)::

    from incidents.evidence import Evidence, register_evidence_provider
    register_evidence_provider("backup-completion", my_provider)

A provider gets the period (start, end) and returns an Evidence; it must
report honestly what it knows, including "cannot tell".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

EvidenceStatus = Literal["ok", "problem", "unavailable"]


@dataclass(frozen=True)
class Evidence:
    status: EvidenceStatus
    summary: str
    link: str = ""


EvidenceProvider = Callable[[datetime, datetime], Evidence]

_PROVIDERS: dict[str, EvidenceProvider] = {}


def register_evidence_provider(key: str, provider: EvidenceProvider) -> None:
    """Register (or replace) the provider for ``key``."""
    _PROVIDERS[key] = provider


def registered_keys() -> list[str]:
    return sorted(_PROVIDERS)


def evidence_for(key: str, period_start: datetime, period_end: datetime) -> Evidence | None:
    """What the provider for ``key`` reports, or None for items without a key."""
    if not key:
        return None
    provider = _PROVIDERS.get(key)
    if provider is None:
        return Evidence("unavailable", f"No evidence provider is registered for {key!r}; check by hand.")
    try:
        return provider(period_start, period_end)
    except Exception as exc:  # a broken provider must not break the checklist page
        return Evidence("unavailable", f"The evidence provider failed ({type(exc).__name__}); check by hand.")


def _no_backup_app(start: datetime, end: datetime) -> Evidence:
    return Evidence("unavailable", "No backup app is installed yet, so backups cannot be verified here; check by hand.")


def _no_alerts_app(start: datetime, end: datetime) -> Evidence:
    return Evidence(
        "unavailable", "No alerting app is installed yet, so overnight alerts cannot be listed; check by hand."
    )


# Honest placeholders until the backups and monitoring-alerts apps register real providers.
register_evidence_provider("backup-completion", _no_backup_app)
register_evidence_provider("overnight-alerts", _no_alerts_app)
