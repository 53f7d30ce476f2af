"""Concurrent writers: one acknowledgement wins, timeline seqs never repeat or skip."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connections

from core.errors import Conflict
from core.testing.factories import user_with_role
from incidents.models import TimelineEntry
from incidents.services.incidents import incident_acknowledge, incident_declare
from incidents.services.timeline import incident_note_add

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Start every job at once on its own thread (own DB connection); results or exceptions, in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def work(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_double_acknowledge_one_wins_the_other_is_a_conflict() -> None:
    incident = incident_declare(actor=None, title="x", severity="P1")
    users = [user_with_role("responder", username=f"r{n}") for n in range(4)]
    results = run_together([partial(incident_acknowledge, actor=u, incident=incident) for u in users])
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 3, results
    assert TimelineEntry.objects.filter(incident=incident, kind="status").count() == 1
    incident.refresh_from_db()
    assert incident.status == "acknowledged" and incident.acknowledged_at is not None


def test_concurrent_notes_get_consecutive_unique_seqs() -> None:
    incident = incident_declare(actor=None, title="x", severity="P3")
    users = [user_with_role("responder", username=f"n{n}") for n in range(6)]
    results = run_together(
        [partial(incident_note_add, actor=u, incident=incident, text=f"from {u.username}") for u in users]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    seqs = list(TimelineEntry.objects.filter(incident=incident).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(users) + 2))
    incident.refresh_from_db()
    assert incident.timeline_seq == len(users) + 1
