"""Escalation timing under a controlled clock: timers are captured, then fired at chosen instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from core.testing.factories import user_with_role
from incidents import tasks
from incidents.models import Incident, Rotation, RotationMember, TimelineEntry
from incidents.services.escalation import escalation_fire
from incidents.services.incidents import incident_acknowledge, incident_declare, incident_update

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def rotation() -> Rotation:
    rotation = Rotation.objects.create(name="core", cadence="daily", handoff_hour=9, start_date=date(2025, 3, 1))
    for role, name in (("primary", "pam"), ("secondary", "sid")):
        user = user_with_role("responder", username=name, email=f"{name}@dinari.test")
        RotationMember.objects.create(rotation=rotation, role=role, position=0, user=user)
    return rotation


def _pages(incident: Incident) -> list[str]:
    return list(TimelineEntry.objects.filter(incident=incident, kind="escalation").values_list("text", flat=True))


def test_p0_pages_at_once_then_secondary_then_escalation(rotation, escalation_timers, on_commit) -> None:
    responder = user_with_role("responder")
    with on_commit():
        incident = incident_declare(actor=responder, title="chain down", severity="P0", kind="mainnet_down", now=T0)
    task_id, incident_id, due = escalation_timers.last
    assert (incident_id, due) == (incident.pk, T0)  # P0: page at once

    with on_commit():
        assert escalation_fire(incident_id=incident.pk, task_id=task_id, now=T0) == "paged primary"
    assert _pages(incident) == ["Paging primary: pam@dinari.test, blockchain-oncall@dinari.network"]
    assert sorted(m.to[0] for m in mail.outbox) == ["blockchain-oncall@dinari.network", "pam@dinari.test"]
    second_id, _, due = escalation_timers.last
    assert due == T0 + timedelta(minutes=5)

    # A duplicate delivery of the first timer does nothing: the row names the second one now.
    assert escalation_fire(incident_id=incident.pk, task_id=task_id, now=T0 + timedelta(minutes=1)) == "stale"

    with on_commit():
        assert escalation_fire(incident_id=incident.pk, task_id=second_id, now=due) == "paged secondary"
    third_id, _, due = escalation_timers.last
    assert due == T0 + timedelta(minutes=15)
    with on_commit():
        assert escalation_fire(incident_id=incident.pk, task_id=third_id, now=due) == "paged escalation contact"
    assert _pages(incident)[-1] == "Paging escalation contact: cto@dinari.network"
    assert Incident.objects.get(pk=incident.pk).escalation_task_id == ""
    # Every email attempt and outcome is on the timeline.
    sent = TimelineEntry.objects.filter(incident=incident, kind="notification", data__channel="email")
    assert sent.count() == len(mail.outbox) == 5
    assert all(e.data["ok"] for e in sent)


def test_acknowledgement_stops_the_chain(rotation, escalation_timers, on_commit) -> None:
    responder = user_with_role("responder")
    with on_commit():
        incident = incident_declare(actor=responder, title="slow blocks", severity="P1", now=T0)
    task_id, _, due = escalation_timers.last
    assert due == T0 + timedelta(minutes=5)  # P1 waits before paging
    incident_acknowledge(actor=responder, incident=incident, now=T0 + timedelta(minutes=2))
    assert Incident.objects.get(pk=incident.pk).escalation_task_id == ""
    assert escalation_fire(incident_id=incident.pk, task_id=task_id, now=due) == "stale"
    assert _pages(incident) == []
    assert len(escalation_timers.calls) == 1


def test_acknowledged_between_schedule_and_fire_even_with_matching_id(rotation, escalation_timers, on_commit) -> None:
    with on_commit():
        incident = incident_declare(actor=user_with_role("responder"), title="x", severity="P0", now=T0)
    task_id, _, _ = escalation_timers.last
    Incident.objects.filter(pk=incident.pk).update(status="acknowledged")
    assert escalation_fire(incident_id=incident.pk, task_id=task_id, now=T0) == "acknowledged"
    assert _pages(incident) == []


def test_p3_does_not_page(escalation_timers) -> None:
    incident = incident_declare(actor=user_with_role("responder"), title="typo", severity="P3", now=T0)
    assert escalation_timers.calls == []
    assert incident.escalation_task_id == ""


def test_raising_severity_restarts_the_chain_and_stales_the_old_timer(rotation, escalation_timers, on_commit) -> None:
    with on_commit():
        incident = incident_declare(actor=user_with_role("responder"), title="x", severity="P2", now=T0)
    old_id, _, old_due = escalation_timers.last
    assert old_due == T0 + timedelta(minutes=30)
    later = T0 + timedelta(minutes=3)
    with on_commit():
        incident_update(actor=user_with_role("commander"), incident=incident, data={"severity": "P0"}, now=later)
    new_id, _, new_due = escalation_timers.last
    assert new_id != old_id and new_due == later
    assert escalation_fire(incident_id=incident.pk, task_id=old_id, now=old_due) == "stale"
    assert escalation_fire(incident_id=incident.pk, task_id=new_id, now=later) == "paged primary"


def test_the_celery_task_compares_its_own_request_id(rotation, escalation_timers, on_commit) -> None:
    with on_commit():
        incident = incident_declare(actor=user_with_role("responder"), title="x", severity="P0", now=T0)
    task_id, _, _ = escalation_timers.last
    assert tasks.escalation_fire.apply(args=(incident.pk,), task_id="someone-else").get() == "stale"
    assert tasks.escalation_fire.apply(args=(incident.pk,), task_id=task_id).get() == "paged primary"


def test_timers_are_enqueued_only_after_commit(escalation_timers, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incident_declare(actor=user_with_role("responder"), title="x", severity="P0", now=T0)
    assert escalation_timers.calls == []
    for callback in callbacks:
        callback()
    assert len(escalation_timers.calls) == 1
