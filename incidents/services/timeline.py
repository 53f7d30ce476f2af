"""The incident timeline: the one entry point every app writes through."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput, NotFound
from core.realtime import broadcast_on_commit
from core.roles import Role, require_role
from incidents.inputs import clean_text
from incidents.models import Incident, TimelineEntry, TimelineKind

MAX_NOTE_LENGTH = 10_000


def incident_stream(incident_id: int) -> str:
    """Timeline entries; the event seq is the entry's per-incident seq."""
    return f"incident.{incident_id}"


def incident_pins_stream(incident_id: int) -> str:
    """Pin/unpin events (not timeline entries, so a stream of their own)."""
    return f"incident.{incident_id}.pins"


class TimelineEntryPayload(TypedDict):
    id: int
    seq: int
    kind: str
    actor: str | None
    text: str
    data: dict[str, Any]
    pinned: bool
    created_at: str


class IncidentSnapshot(TypedDict):
    id: int
    status: str
    severity: str
    security_level: int | None
    commander: str | None
    participants: list[str]
    acknowledged_at: str | None
    resolved_at: str | None


class TimelineEventData(TypedDict):
    entry: TimelineEntryPayload
    incident: IncidentSnapshot


def entry_payload(entry: TimelineEntry) -> TimelineEntryPayload:
    return TimelineEntryPayload(
        id=entry.pk,
        seq=entry.seq,
        kind=entry.kind,
        actor=entry.actor.get_username() if entry.actor else None,
        text=entry.text,
        data=entry.data,
        pinned=entry.pinned,
        created_at=entry.created_at.isoformat(),
    )


def incident_snapshot(incident: Incident) -> IncidentSnapshot:
    return IncidentSnapshot(
        id=incident.pk,
        status=incident.status,
        severity=incident.severity,
        security_level=incident.security_level,
        commander=incident.commander.get_username() if incident.commander else None,
        participants=sorted(u.get_username() for u in incident.participants.all()),
        acknowledged_at=incident.acknowledged_at.isoformat() if incident.acknowledged_at else None,
        resolved_at=incident.resolved_at.isoformat() if incident.resolved_at else None,
    )


def timeline_add(
    *,
    incident: Incident | int,
    kind: str,
    actor: Any = None,
    text: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TimelineEntry:
    """Append one entry to an incident's timeline and broadcast it after commit.

    The one function other apps (alerts, action runs, notifications) call.
    The sequence number is allocated under a row lock on the incident, so
    entries of one incident are numbered 1, 2, 3... without gaps or repeats.
    """
    if kind not in TimelineKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(TimelineKind.values)} (got {kind!r}).", field="kind")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("text is required.", field="text")
    incident_id = incident.pk if isinstance(incident, Incident) else int(incident)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        locked = Incident.objects.select_for_update().filter(pk=incident_id).first()
        if locked is None:
            raise NotFound(f"incident {incident_id} does not exist.")
        seq = locked.timeline_seq + 1
        Incident.objects.filter(pk=incident_id).update(timeline_seq=seq)
        locked.timeline_seq = seq
        entry = TimelineEntry.objects.create(
            incident_id=incident_id,
            seq=seq,
            kind=kind,
            actor=user,
            text=text,
            data=data or {},
            created_at=at or timezone.now(),
        )
        if isinstance(incident, Incident):
            incident.timeline_seq = seq
        event = TimelineEventData(entry=entry_payload(entry), incident=incident_snapshot(locked))
        broadcast_on_commit(incident_stream(incident_id), "timeline.entry", dict(event), seq=seq)
    return entry


def _require_visible(actor: Any, incident: Incident) -> None:
    """Level 3-4 incidents do not exist for users outside the security group, whoever calls the service."""
    from incidents.selectors.incidents import can_see

    if not can_see(actor, incident):
        raise NotFound(f"incident {incident.pk} does not exist.")


def incident_note_add(*, actor: Any, incident: Incident, text: str) -> TimelineEntry:
    require_role(actor, Role.RESPONDER, doing="Adding a note")
    _require_visible(actor, incident)
    text = clean_text(text, field="text", max_length=MAX_NOTE_LENGTH)
    if not text:
        raise InvalidInput("text is required: write the note.", field="text")
    return timeline_add(incident=incident, kind=TimelineKind.NOTE, actor=actor, text=text)


def timeline_pin(*, actor: Any, incident: Incident, seq: int, pinned: bool) -> TimelineEntry:
    require_role(actor, Role.RESPONDER, doing="Pinning a timeline entry")
    _require_visible(actor, incident)
    with transaction.atomic():
        entry = TimelineEntry.objects.select_for_update().filter(incident=incident, seq=seq).first()
        if entry is None:
            raise NotFound(f"incident {incident.pk} has no timeline entry {seq}.")
        if entry.pinned != pinned:
            entry.pinned = pinned
            entry.save(update_fields=["pinned"])
            broadcast_on_commit(
                incident_pins_stream(incident.pk), "timeline.pinned", {"seq": entry.seq, "pinned": entry.pinned}
            )
    return entry
