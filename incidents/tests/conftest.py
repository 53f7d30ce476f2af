"""Fixtures of the incidents tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest


class ScheduledTimers:
    """Captures escalation timers instead of handing them to Celery (whose eager mode ignores ETAs)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, datetime]] = []

    def __call__(self, task_id: str, incident_id: int, due_at: datetime) -> None:
        self.calls.append((task_id, incident_id, due_at))

    @property
    def last(self) -> tuple[str, int, datetime]:
        return self.calls[-1]


@pytest.fixture(autouse=True)
def escalation_timers(monkeypatch: Any) -> ScheduledTimers:
    from incidents.services import escalation

    timers = ScheduledTimers()
    monkeypatch.setattr(escalation, "enqueue", timers)
    return timers


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run on_commit callbacks (broadcasts, tasks) at the end of the with-block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
