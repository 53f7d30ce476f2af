"""Escalation timers and webhook retries on a REAL Celery worker (real Redis broker and result backend).

The rest of the incidents suite runs Celery eagerly with the timer seam
(``escalation.enqueue``) captured. Here the conftest's autouse
``escalation_timers`` fixture is overridden so the production ``enqueue``
hands every timer to the broker with its ETA, and a worker thread
(``celery_worker_thread``) runs them. Nothing in the production code is
monkeypatched; the tests wait against a deadline by polling.

The tests wait on what the worker reports in-process (Celery's
task_prerun/task_postrun signals, the locmem outbox, the loopback receiver) and
read the database once the tasks they waited for have finished.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from celery.signals import task_postrun, task_prerun
from django.core import mail
from django.utils import timezone

from core.testing.factories import user_with_role
from incidents.models import EscalationPolicy, Incident, Rotation, RotationMember, TimelineEntry
from incidents.services.incidents import incident_acknowledge, incident_declare
from incidents.services.notifications import SIGNATURE_HEADER, webhook_signature
from incidents.tasks import escalation_fire
from incidents.tests.receivers import Receiver

pytestmark = pytest.mark.integration

T = TypeVar("T")
SECRET = "worker-webhook-secret"  # noqa: S105
TEAM_PRIMARY = "blockchain-oncall@dinari.network"


@pytest.fixture
def escalation_timers() -> None:
    """Overrides the conftest's autouse capture: the real ``enqueue`` sends timers to the broker."""
    return None


@pytest.fixture
def _purge_queue_afterwards() -> Iterator[None]:
    """Set up before the worker, so torn down after it: drops timers still pending (e.g. a 5-minute step 2)
    that the stopped worker handed back to the queue, leaving nothing behind in a shared Redis."""
    yield
    from dinari_console.celery import app

    app.control.purge()


class TaskLog:
    """What the worker threads ran: (event, task name, task id, state, return value, monotonic time)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, str | None, Any, float]] = []

    def prerun(self, sender: Any = None, task_id: str = "", **_: Any) -> None:
        self.events.append(("start", sender.name, task_id, None, None, time.monotonic()))

    def postrun(self, sender: Any = None, task_id: str = "", state: str | None = None, retval: Any = None, **_: Any):
        self.events.append(("end", sender.name, task_id, state, retval, time.monotonic()))

    def started(self, task_id: str) -> list[float]:
        return [e[5] for e in self.events if e[0] == "start" and e[2] == task_id]

    def finished(self, name: str) -> list[tuple[str, str | None, Any, float]]:
        """(task id, state, return value, time) of each finished run of the task ``name``."""
        short = f"incidents.tasks.{name}"
        return [(e[2], e[3], e[4], e[5]) for e in self.events if e[0] == "end" and e[1] == short]


@pytest.fixture
def worker(_purge_queue_afterwards: None, celery_worker_thread: Any) -> Iterator[TaskLog]:
    log = TaskLog()
    task_prerun.connect(log.prerun, weak=False)
    task_postrun.connect(log.postrun, weak=False)
    yield log
    task_prerun.disconnect(log.prerun)
    task_postrun.disconnect(log.postrun)


@pytest.fixture
def rotation(worker: Any) -> Rotation:
    rotation = Rotation.objects.create(name="core", cadence="daily", handoff_hour=9, start_date=date(2025, 3, 1))
    for role, name in (("primary", "pam"), ("secondary", "sid")):
        user = user_with_role("responder", username=name, email=f"{name}@dinari.test")
        RotationMember.objects.create(rotation=rotation, role=role, position=0, user=user)
    return rotation


def _policy(severity: str, minutes: tuple[int | None, int | None, int | None], rotation: Rotation | None) -> None:
    # The transactional DB is flushed between tests, so the migration's rows may be gone: state it here.
    EscalationPolicy.objects.update_or_create(
        severity=severity,
        defaults={
            "enabled": any(m is not None for m in minutes),
            "rotation": rotation,
            "primary_after_minutes": minutes[0],
            "secondary_after_minutes": minutes[1],
            "escalation_after_minutes": minutes[2],
        },
    )


def wait_for(predicate: Callable[[], T], timeout: float = 15.0, interval: float = 0.05, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not met within {timeout}s: {what or predicate}")
        time.sleep(interval)


def stays(predicate: Callable[[], bool], seconds: float, interval: float = 0.05) -> bool:
    """True if the predicate holds on every poll for ``seconds`` (to check that nothing happens)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not predicate():
            return False
        time.sleep(interval)
    return predicate()


def _pages(incident_id: int) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(incident_id=incident_id, kind="escalation").order_by("seq"))


def _notifications(incident_id: int, channel: str) -> list[TimelineEntry]:
    return list(
        TimelineEntry.objects.filter(incident_id=incident_id, kind="notification", data__channel=channel).order_by(
            "seq"
        )
    )


def _row(incident_id: int) -> Incident:
    return Incident.objects.get(pk=incident_id)


def _declare_p0_and_wait_for_first_page(worker: TaskLog, rotation: Rotation) -> tuple[Incident, str]:
    _policy("P0", (0, 5, 15), rotation)
    incident = incident_declare(actor=user_with_role("responder"), title="chain halted", severity="P0")
    first_id = incident.escalation_task_id
    assert first_id and incident.escalation_step == 1
    # The task the worker ran is the one the service enqueued (read back from the Redis result backend).
    assert escalation_fire.AsyncResult(first_id).get(timeout=20) == "paged primary"
    # The emails are separate tasks the worker queued after its commit.
    wait_for(lambda: len(worker.finished("send_incident_email")) == 2, what="both page emails sent")
    return incident, first_id


def test_p0_declaration_pages_the_primary_at_once_on_the_worker(worker, rotation) -> None:
    before = timezone.now()
    incident, first_id = _declare_p0_and_wait_for_first_page(worker, rotation)
    declared_due = incident.escalation_due_at
    assert declared_due is not None and before <= declared_due <= timezone.now()  # P0: ETA is "now"

    [page] = _pages(incident.pk)
    assert page.text == f"Paging primary: pam@dinari.test, {TEAM_PRIMARY}"
    assert page.data == {"step": "primary", "role": "primary", "recipients": ["pam@dinari.test", TEAM_PRIMARY]}
    assert page.created_at >= declared_due

    # Delivered to the locmem outbox (shared with the worker thread) and recorded on the timeline.
    assert sorted(m.to[0] for m in mail.outbox) == [TEAM_PRIMARY, "pam@dinari.test"]
    assert all(m.subject.startswith("[P0] Page (primary)") for m in mail.outbox)
    emails = _notifications(incident.pk, "email")
    assert sorted(e.text for e in emails) == [f"Email to {TEAM_PRIMARY} sent", "Email to pam@dinari.test sent"]
    assert all(e.data["ok"] for e in emails)

    # The incident now names the step-2 timer, due 5 minutes after the first one.
    row = _row(incident.pk)
    assert row.escalation_step == 2
    assert row.escalation_task_id not in ("", first_id)
    assert row.escalation_due_at == declared_due + timedelta(minutes=5)


def test_after_acknowledgement_the_pending_timer_is_stale_and_pages_nobody(worker, rotation) -> None:
    incident, _ = _declare_p0_and_wait_for_first_page(worker, rotation)
    pending_id = _row(incident.pk).escalation_task_id  # step 2, held by the worker until its ETA
    assert pending_id

    incident_acknowledge(actor=user_with_role("responder"), incident=incident)
    assert _row(incident.pk).escalation_task_id == ""

    # Deliver the pending timer now (as a redelivery or a clock jump would): the real worker runs it.
    runs = len(worker.events)
    result = escalation_fire.apply_async(args=(incident.pk,), task_id=pending_id)
    assert result.get(timeout=20) in ("stale", "acknowledged")

    # It queued nothing: no email task runs, the outbox stays at the primary's two messages.
    def nothing_else_ran() -> bool:
        return len(worker.events) == runs + 2 and len(mail.outbox) == 2  # + the re-sent task's start and end

    wait_for(lambda: len(worker.events) >= runs + 2, what="the re-sent task's postrun")
    assert stays(nothing_else_ran, 0.5), worker.events[runs:]
    assert len(_pages(incident.pk)) == 1  # only the primary's page from before
    assert len(_notifications(incident.pk, "email")) == 2
    row = _row(incident.pk)
    assert (row.status, row.escalation_task_id, row.escalation_step) == ("acknowledged", "", 2)


def test_a_timer_with_a_short_delay_fires_on_time_on_the_worker(worker, rotation) -> None:
    """Policy minutes are integers, so the declaration is dated one minute minus LEAD seconds ago
    (the service's own ``now`` argument, as for an incident detected earlier): the service computes
    due = now + 1 minute = real time + LEAD and enqueues it with that ETA. Nothing is re-sent."""
    lead = 2.0
    _policy("P1", (1, 2, None), rotation)
    declared_at = timezone.now() - timedelta(minutes=1) + timedelta(seconds=lead)
    incident = incident_declare(actor=user_with_role("responder"), title="slow blocks", severity="P1", now=declared_at)
    due = incident.escalation_due_at
    first_id = incident.escalation_task_id
    assert due == declared_at + timedelta(minutes=1)
    assert incident.escalation_step == 1 and first_id

    # Not before its ETA: until shortly before it is due, the worker does not start the task.
    early = (due - timezone.now()).total_seconds() - 0.3
    assert early > 1.0, "the declaration took too long to check the early window"
    assert stays(lambda: not worker.started(first_id), early)

    # Then the worker runs the very task the service enqueued, at its ETA.
    assert escalation_fire.AsyncResult(first_id).get(timeout=10) == "paged primary"
    wait_for(lambda: len(worker.finished("send_incident_email")) == 2, what="both page emails sent")
    [page] = _pages(incident.pk)
    assert due <= page.created_at < due + timedelta(seconds=5), (page.created_at, due)
    assert page.text == f"Paging primary: pam@dinari.test, {TEAM_PRIMARY}"

    # The chain goes on: step 2 is due (2 - 1) minutes after step 1's due time, under a new task id.
    row = _row(incident.pk)
    assert row.escalation_step == 2
    assert row.escalation_due_at == due + timedelta(minutes=1)
    assert row.escalation_task_id not in ("", first_id)


@pytest.fixture
def held_receiver(settings: Any) -> Iterator[Receiver]:
    receiver = Receiver([500, 503], held=True)
    settings.INCIDENT_WEBHOOK_URL = receiver.url
    settings.INCIDENT_WEBHOOK_SECRET = SECRET
    settings.INCIDENT_WEBHOOK_BACKOFF_SECONDS = 0.2
    settings.INCIDENT_WEBHOOK_MAX_RETRIES = 3
    yield receiver
    receiver.close()


def test_failing_webhook_is_retried_by_the_worker_with_backoff_until_delivered(worker, held_receiver) -> None:
    _policy("P3", (None, None, None), None)
    started = time.monotonic()
    incident = incident_declare(actor=user_with_role("responder"), title="RPC errors", severity="P3")
    declared_in = time.monotonic() - started

    # The first attempt is in flight and held open by the receiver, yet the declaration has returned
    # and its transaction is committed: this thread's connection sees the row and the declared entry.
    wait_for(lambda: held_receiver.requests, what="the first webhook attempt")
    assert declared_in < 4.0
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert [e.kind for e in TimelineEntry.objects.filter(incident_id=incident.pk)] == ["declared"]
    held_receiver.release.set()

    def delivered() -> bool:
        return any(retval is True for _, _, retval, _ in worker.finished("send_incident_webhook"))

    wait_for(delivered, what="the webhook delivered")
    runs = worker.finished("send_incident_webhook")
    assert [state for _, state, _, _ in runs] == ["RETRY", "RETRY", "SUCCESS"]  # Celery's own retries
    assert len({task_id for task_id, _, _, _ in runs}) == 1

    # Exponential backoff, honoured by the worker's ETA: 0.2 s, then 0.4 s (and not the default 30 s).
    first, second, third = held_receiver.arrivals
    assert 0.2 <= second - first < 5.0, second - first
    assert 0.4 <= third - second < 5.0, third - second

    # No further attempt after delivery; each attempt and its outcome is on the timeline.
    assert stays(lambda: len(held_receiver.requests) == 3 and len(worker.finished("send_incident_webhook")) == 3, 0.5)
    entries = _notifications(incident.pk, "webhook")
    assert [e.text for e in entries] == [
        "Webhook attempt 1: failed (HTTP 500); will retry",
        "Webhook attempt 2: failed (HTTP 503); will retry",
        "Webhook attempt 3: delivered",
    ]
    assert [(e.data["attempt"], e.data["ok"]) for e in entries] == [(1, False), (2, False), (3, True)]

    # Every attempt is the same signed Slack-compatible message.
    for headers, body in held_receiver.requests:
        assert json.loads(body) == {"text": f"Declared: #{incident.pk} [P3] RPC errors (triggered)"}
        timestamp = headers["x-dinari-timestamp"]
        assert headers[SIGNATURE_HEADER.lower()] == webhook_signature(SECRET, timestamp, body)
