"""Escalation timers: page primary, then secondary, then the escalation contact.

A timer is a Celery task scheduled (after commit) with an ETA; its task id is
stored on the incident. A task whose id is no longer on the row (because the
incident was acknowledged, or its severity changed and the chain restarted)
does nothing. Acknowledgement clears the id, which stops the chain.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from incidents.models import EscalationPolicy, Incident, IncidentStatus, OnCallRole
from incidents.selectors.oncall import oncall_at, rotations_active


@dataclass(frozen=True)
class Step:
    number: int  # 1 primary, 2 secondary, 3 escalation contact
    label: str
    minutes: int


STEP_LABELS = {1: "primary", 2: "secondary", 3: "escalation contact"}

# Used when no policy row exists for a severity (the migration creates one per severity).
DEFAULT_MINUTES: dict[str, tuple[int | None, int | None, int | None]] = {
    "P0": (0, 5, 15),
    "P1": (5, 15, 30),
    "P2": (30, 60, None),
    "P3": (None, None, None),
}


def policy_steps(severity: str) -> list[Step]:
    policy = EscalationPolicy.objects.filter(severity=severity).first()
    if policy is not None:
        if not policy.enabled:
            return []
        minutes = (policy.primary_after_minutes, policy.secondary_after_minutes, policy.escalation_after_minutes)
    else:
        minutes = DEFAULT_MINUTES.get(severity, (None, None, None))
    return [Step(number, STEP_LABELS[number], m) for number, m in enumerate(minutes, start=1) if m is not None]


def enqueue(task_id: str, incident_id: int, due_at: datetime) -> None:
    """Schedule the timer task (a seam the tests replace to run it under a controlled clock)."""
    from incidents.tasks import escalation_fire

    escalation_fire.apply_async(args=(incident_id,), task_id=task_id, eta=due_at)


def _schedule(incident: Incident, step: Step, due_at: datetime) -> None:
    task_id = str(uuid.uuid4())
    incident.escalation_task_id = task_id
    incident.escalation_step = step.number
    incident.escalation_due_at = due_at
    Incident.objects.filter(pk=incident.pk).update(
        escalation_task_id=task_id, escalation_step=step.number, escalation_due_at=due_at
    )
    incident_id = incident.pk
    transaction.on_commit(lambda: enqueue(task_id, incident_id, due_at))


def escalation_start(*, incident: Incident, now: datetime) -> None:
    """(Re)start the chain for the incident's severity; a pending older timer becomes stale."""
    steps = policy_steps(incident.severity)
    if not steps:
        escalation_stop(incident=incident)
        return
    _schedule(incident, steps[0], now + timedelta(minutes=steps[0].minutes))


def escalation_stop(*, incident: Incident) -> None:
    """The row stops naming any task: pending timers exit when they fire."""
    incident.escalation_task_id = ""
    incident.escalation_due_at = None
    Incident.objects.filter(pk=incident.pk).update(escalation_task_id="", escalation_due_at=None)


def page_recipients(incident: Incident, step: int, now: datetime) -> list[str]:
    """Email addresses for a step: the person on call (if any) and the playbook's team address."""
    policy = EscalationPolicy.objects.filter(severity=incident.severity).select_related("rotation").first()
    rotation = policy.rotation if policy and policy.rotation else rotations_active().first()
    addresses: list[str] = []
    if step in (1, 2) and rotation is not None:
        oncall = oncall_at(rotation, now)
        shift = oncall.primary if step == 1 else oncall.secondary
        if shift.user is not None and shift.user.email:
            addresses.append(shift.user.email)
    team = {
        1: settings.INCIDENT_PRIMARY_EMAIL,
        2: settings.INCIDENT_SECONDARY_EMAIL,
        3: settings.INCIDENT_ESCALATION_EMAIL,
    }[step]
    if team:
        addresses.append(team)
    return list(dict.fromkeys(addresses))


def escalation_fire(*, incident_id: int, task_id: str, now: datetime) -> str:
    """Run one step if the incident still names this task; returns what happened (for logs and tests)."""
    from incidents.services import notifications

    with transaction.atomic():
        incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
        if incident is None:
            return "gone"
        if incident.escalation_task_id != task_id:
            return "stale"
        if incident.status != IncidentStatus.TRIGGERED:
            escalation_stop(incident=incident)
            return "acknowledged"
        steps = policy_steps(incident.severity)
        current = next((s for s in steps if s.number == incident.escalation_step), None)
        if current is None:
            escalation_stop(incident=incident)
            return "no-step"
        role = {1: OnCallRole.PRIMARY, 2: OnCallRole.SECONDARY}.get(current.number, "escalation")
        notifications.page(
            incident=incident,
            step_label=current.label,
            role=str(role),
            recipients=page_recipients(incident, current.number, now),
            now=now,
        )
        following = [s for s in steps if s.number > current.number]
        if following:
            nxt = following[0]
            base = incident.escalation_due_at or now
            _schedule(incident, nxt, base + timedelta(minutes=nxt.minutes - current.minutes))
        else:
            escalation_stop(incident=incident)
        return f"paged {current.label}"
