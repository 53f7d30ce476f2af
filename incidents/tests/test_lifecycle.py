"""The incident lifecycle: every legal and every illegal (state, command) pair."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, InvalidInput
from incidents.lifecycle import INCIDENT_TRANSITIONS
from incidents.models import Incident, IncidentStatus, TimelineEntry
from incidents.selectors.incidents import incident_times
from incidents.services.incidents import incident_declare, incident_transition

pytestmark = pytest.mark.django_db

LEGAL = {
    ("triggered", "acknowledge"): "acknowledged",
    ("acknowledged", "mitigate"): "mitigated",
    ("acknowledged", "resolve"): "resolved",
    ("mitigated", "resolve"): "resolved",
    ("resolved", "close"): "closed",
}
STAMPS = {"acknowledge": "acknowledged_at", "mitigate": "mitigated_at", "resolve": "resolved_at", "close": "closed_at"}


def _incident_in(status: str, actor) -> Incident:
    incident = incident_declare(actor=actor, title="chain halted", severity="P1", kind="mainnet_down")
    Incident.objects.filter(pk=incident.pk).update(status=status)
    incident.refresh_from_db()
    return incident


def test_the_table_declares_exactly_the_expected_lifecycle() -> None:
    declared = {(s, t.command): t.target for t in INCIDENT_TRANSITIONS.values() for s in t.sources}
    assert declared == LEGAL


@pytest.mark.parametrize(
    ("status", "command"), [(s, c) for s in IncidentStatus.values for c in STAMPS if (s, c) not in LEGAL]
)
def test_every_illegal_transition_is_a_conflict_and_changes_nothing(make_user, status, command) -> None:
    admin = make_user("admin")
    incident = _incident_in(status, admin)
    before = Incident.objects.values().get(pk=incident.pk)
    entries = TimelineEntry.objects.filter(incident=incident).count()
    with pytest.raises(Conflict) as caught:
        incident_transition(actor=admin, incident=incident, command=command)
    message = caught.value.message
    assert f"is {status}" in message
    allowed = [c for (s, c) in LEGAL if s == status]
    for name in allowed:
        assert name in message
    if not allowed:
        assert "final state" in message
    assert Incident.objects.values().get(pk=incident.pk) == before
    assert TimelineEntry.objects.filter(incident=incident).count() == entries


@pytest.mark.parametrize(("status", "command"), list(LEGAL))
def test_every_legal_transition_moves_stamps_and_records(make_user, status, command) -> None:
    admin = make_user("admin")
    incident = _incident_in(status, admin)
    now = timezone.now() + timedelta(minutes=7)
    result = incident_transition(actor=admin, incident=incident, command=command, now=now)
    assert result.status == LEGAL[(status, command)]
    assert getattr(result, STAMPS[command]) == now
    entry = TimelineEntry.objects.filter(incident=incident).order_by("-seq")[0]
    assert entry.kind == "status"
    assert entry.actor == admin
    assert entry.data == {"field": "status", "from": status, "to": result.status, "command": command}


def test_full_walk_and_times(make_user) -> None:
    commander = make_user("commander")
    t0 = timezone.now() - timedelta(hours=2)
    incident = incident_declare(actor=commander, title="t", severity="P0", kind="mainnet_down", now=t0)
    for minutes, command in ((4, "acknowledge"), (20, "mitigate"), (50, "resolve"), (90, "close")):
        incident = incident_transition(
            actor=commander, incident=incident, command=command, now=t0 + timedelta(minutes=minutes)
        )
    times = incident_times(incident, now=timezone.now())
    assert times.time_to_acknowledge == timedelta(minutes=4)
    assert times.time_to_mitigate == timedelta(minutes=20)
    assert times.time_to_resolve == timedelta(minutes=50)
    seqs = list(TimelineEntry.objects.filter(incident=incident).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_roles(make_user) -> None:
    viewer, responder = make_user("viewer"), make_user("responder")
    with pytest.raises(Forbidden):
        incident_declare(actor=viewer, title="x", severity="P2")
    incident = incident_declare(actor=responder, title="x", severity="P2")
    incident = incident_transition(actor=responder, incident=incident, command="acknowledge")
    with pytest.raises(Forbidden):
        incident_transition(actor=responder, incident=incident, command="mitigate")
    assert Incident.objects.get(pk=incident.pk).status == "acknowledged"


def test_declare_validation_names_the_field(make_user) -> None:
    responder = make_user("responder")
    for kwargs, field in (
        ({"title": "", "severity": "P1"}, "title"),
        ({"title": "x", "severity": "P9"}, "severity"),
        ({"title": "x", "severity": "P1", "kind": "nope"}, "kind"),
        ({"title": "x", "severity": "P0", "kind": "security_breach"}, "security_level"),
        ({"title": "x", "severity": "P0", "kind": "other", "security_level": 2}, "security_level"),
        ({"title": "x", "severity": "P0", "kind": "security_breach", "security_level": 3}, "security_level"),
        ({"title": "x", "severity": "P0", "affected_nodes": [999]}, "affected_nodes"),
        ({"title": "x", "severity": "P0", "networks": ["main net"]}, "networks"),
    ):
        with pytest.raises(InvalidInput) as caught:
            incident_declare(actor=responder, **kwargs)
        assert caught.value.field == field, kwargs
    assert not Incident.objects.exists()
