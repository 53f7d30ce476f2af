"""Declaring incidents and driving them through the lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from core.roles import Role, has_role, in_security_group, require_role
from core.services import audit_record
from incidents.inputs import clean_text, parse_id
from incidents.lifecycle import INCIDENT_TRANSITIONS, check_transition
from incidents.models import Incident, IncidentKind, IncidentStatus, SecurityLevel, Severity, TimelineKind
from incidents.models.incidents import RESTRICTED_SECURITY_LEVEL, SECURITY_LEVEL_ACTIONS
from incidents.selectors.incidents import can_see
from incidents.services import escalation, notifications
from incidents.services.timeline import timeline_add
from monitoring.models import Node

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000


def _clean_title(value: Any) -> str:
    title = clean_text(value, field="title", max_length=MAX_TITLE)
    if not title:
        raise InvalidInput("title is required.", field="title")
    return title


def _clean_description(value: Any) -> str:
    return clean_text(value, field="description", max_length=MAX_DESCRIPTION)


def _clean_choice(name: str, value: Any, choices: list[str]) -> str:
    if value not in choices:
        raise InvalidInput(f"{name} must be one of {', '.join(choices)} (got {value!r}).", field=name)
    return str(value)


def _clean_security_level(actor: Any, kind: str, value: Any) -> int | None:
    if value in (None, ""):
        if kind == IncidentKind.SECURITY_BREACH:
            raise InvalidInput("security_level (1-4) is required for a security breach.", field="security_level")
        return None
    if kind != IncidentKind.SECURITY_BREACH:
        raise InvalidInput("security_level is only for incidents of kind security_breach.", field="security_level")
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"security_level must be 1-4 (got {value!r}).", field="security_level") from None
    if level not in SecurityLevel.values:
        raise InvalidInput(f"security_level must be 1-4 (got {value!r}).", field="security_level")
    if level >= RESTRICTED_SECURITY_LEVEL and not in_security_group(actor):
        raise InvalidInput(
            "only members of the security group can classify an incident at level 3-4 "
            "(ask the security team to raise it).",
            field="security_level",
        )
    return level


def _clean_networks(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise InvalidInput("networks must be a list of network names.", field="networks")
    networks = []
    for item in items:
        name = str(item).strip()
        if not name:
            continue
        if len(name) > 32 or not all(ch.isalnum() or ch in "-_" for ch in name):
            raise InvalidInput(
                f"networks: {name!r} is not a network name (letters, digits, - and _).", field="networks"
            )
        networks.append(name)
    return sorted(set(networks))


def _clean_nodes(value: Any) -> list[Node]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInput("affected_nodes must be a list of node ids.", field="affected_nodes")
    wanted = {parse_id(i, field="affected_nodes") for i in value}
    nodes = list(Node.objects.filter(pk__in=wanted))
    missing = wanted - {n.pk for n in nodes}
    if missing:
        raise InvalidInput(f"affected_nodes: no node with id {sorted(missing)[0]}.", field="affected_nodes")
    return nodes


def _user(user_id: Any, field: str) -> Any:
    pk = parse_id(user_id, field=field)
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise InvalidInput(f"{field}: no active user with id {user_id!r}.", field=field)
    return user


def _require_visible(actor: Any, incident: Incident) -> None:
    if not can_see(actor, incident):
        raise NotFound(f"incident {incident.pk} does not exist.")


@transaction.atomic
def incident_declare(
    *,
    actor: Any,
    title: str,
    severity: str,
    kind: str = IncidentKind.OTHER,
    description: str = "",
    security_level: Any = None,
    networks: Any = None,
    affected_nodes: Any = None,
    commander_id: int | None = None,
    detected_at: datetime | None = None,
    now: datetime | None = None,
) -> Incident:
    """Open an incident; pages the on-call chain per the severity's escalation policy."""
    if actor is not None:  # None: the system (management command, alert rules)
        require_role(actor, Role.RESPONDER, doing="Declaring an incident")
    now = now or timezone.now()
    kind = _clean_choice("kind", kind, IncidentKind.values)
    incident = Incident(
        title=_clean_title(title),
        description=_clean_description(description),
        severity=_clean_choice("severity", severity, Severity.values),
        kind=kind,
        security_level=_clean_security_level(actor, kind, security_level),
        networks=_clean_networks(networks),
        declared_by=actor if getattr(actor, "is_authenticated", False) else None,
        detected_at=detected_at or now,
    )
    if incident.detected_at > now:
        raise InvalidInput("detected_at cannot be in the future.", field="detected_at")
    nodes = _clean_nodes(affected_nodes)
    if commander_id is not None:
        commander = _user(commander_id, "commander_id")
        if not has_role(commander, Role.COMMANDER):
            raise InvalidInput("commander_id: that user does not hold the commander role.", field="commander_id")
        incident.commander = commander
    incident.save()
    incident.affected_nodes.set(nodes)
    if incident.declared_by is not None:
        incident.participants.add(incident.declared_by)
    text = f"Declared {incident.severity} ({incident.severity_meaning}): {incident.title}"
    if incident.security_level:
        text += f" - security level {incident.security_level}, required action: {incident.security_action}"
    timeline_add(
        incident=incident,
        kind=TimelineKind.DECLARED,
        actor=actor,
        text=text,
        data={"severity": incident.severity, "kind": incident.kind, "security_level": incident.security_level},
        at=now,
    )
    audit_record(actor=actor, verb="incident.declare", target=incident, data={"severity": incident.severity})
    escalation.escalation_start(incident=incident, now=now)
    notifications.webhook_queue(incident=incident, text=f"Declared: {notifications.summary(incident)}")
    return incident


def incident_transition(*, actor: Any, incident: Incident, command: str, now: datetime | None = None) -> Incident:
    """Run one lifecycle command (acknowledge, mitigate, resolve, close) from the transitions table."""
    transition = INCIDENT_TRANSITIONS.get(command)
    if transition is None:
        raise InvalidInput(f"unknown command {command!r}.", field="command")
    require_role(actor, transition.role, doing=f"To {command} an incident")
    _require_visible(actor, incident)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        check_transition(INCIDENT_TRANSITIONS, command, locked.status, what="incident")
        before = locked.status
        locked.status = transition.target
        fields = ["status", "updated_at"]
        if transition.stamp:
            setattr(locked, transition.stamp, now)
            fields.append(transition.stamp)
        locked.save(update_fields=fields)
        if command == "acknowledge":
            escalation.escalation_stop(incident=locked)
            locked.participants.add(actor)
        timeline_add(
            incident=locked,
            kind=TimelineKind.STATUS,
            actor=actor,
            text=f"{actor.get_username()} ran {command}: {before} → {locked.status}",
            data={"field": "status", "from": before, "to": locked.status, "command": command},
            at=now,
        )
        audit_record(actor=actor, verb=f"incident.{command}", target=locked, data={"from": before})
        notifications.webhook_queue(
            incident=locked,
            text=f"{before} → {locked.status} by {actor.get_username()}: {notifications.summary(locked)}",
        )
    return locked


def incident_acknowledge(*, actor: Any, incident: Incident, now: datetime | None = None) -> Incident:
    return incident_transition(actor=actor, incident=incident, command="acknowledge", now=now)


def incident_mitigate(*, actor: Any, incident: Incident, now: datetime | None = None) -> Incident:
    return incident_transition(actor=actor, incident=incident, command="mitigate", now=now)


def incident_resolve(*, actor: Any, incident: Incident, now: datetime | None = None) -> Incident:
    return incident_transition(actor=actor, incident=incident, command="resolve", now=now)


def incident_close(*, actor: Any, incident: Incident, now: datetime | None = None) -> Incident:
    return incident_transition(actor=actor, incident=incident, command="close", now=now)


EDITABLE = ("title", "description", "severity", "security_level", "networks", "affected_nodes")


@transaction.atomic
def incident_update(*, actor: Any, incident: Incident, data: dict[str, Any], now: datetime | None = None) -> Incident:
    """Change descriptive fields; each change is a timeline entry "field: old → new"."""
    require_role(actor, Role.COMMANDER, doing="Editing an incident")
    _require_visible(actor, incident)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"unknown or read-only field(s): {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status == IncidentStatus.CLOSED:
        raise Conflict("a closed incident cannot be edited; it is closed.", field="status")
    changes: list[tuple[str, Any, Any]] = []
    for field, cleaner in (
        ("title", _clean_title),
        ("description", _clean_description),
        ("severity", lambda v: _clean_choice("severity", v, Severity.values)),
        ("security_level", lambda v: _clean_security_level(actor, locked.kind, v)),
        ("networks", _clean_networks),
    ):
        if field in data:
            new = cleaner(data[field])
            old = getattr(locked, field)
            if new != old:
                setattr(locked, field, new)
                changes.append((field, old, new))
    locked.save()
    if "affected_nodes" in data:
        nodes = _clean_nodes(data["affected_nodes"])
        old_names = sorted(n.name for n in locked.affected_nodes.all())
        new_names = sorted(n.name for n in nodes)
        if old_names != new_names:
            locked.affected_nodes.set(nodes)
            changes.append(("affected_nodes", old_names, new_names))
    for field, old, new in changes:
        extra = ""
        if field == "security_level" and new:
            extra = f" (required action: {SECURITY_LEVEL_ACTIONS[new]})"
        timeline_add(
            incident=locked,
            kind=TimelineKind.CHANGE,
            actor=actor,
            text=f"{field}: {old if old not in (None, '', []) else '-'} → {new if new not in (None, '', []) else '-'}"
            + extra,
            data={"field": field, "from": old, "to": new},
        )
    if any(field == "severity" for field, _, _ in changes) and locked.status == IncidentStatus.TRIGGERED:
        escalation.escalation_start(incident=locked, now=now or timezone.now())
    if changes:
        audit_record(actor=actor, verb="incident.update", target=locked, data={"fields": [c[0] for c in changes]})
    return locked


@transaction.atomic
def incident_set_commander(*, actor: Any, incident: Incident, user_id: int | str | None) -> Incident:
    require_role(actor, Role.COMMANDER, doing="Assigning the incident commander")
    _require_visible(actor, incident)
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    new = _user(user_id, "user_id") if user_id is not None else None
    if new is not None and not has_role(new, Role.COMMANDER):
        raise InvalidInput("user_id: that user does not hold the commander role.", field="user_id")
    if new is not None and not can_see(new, locked):
        raise InvalidInput("user_id: that user may not see this security incident.", field="user_id")
    old = locked.commander
    if old == new:
        return locked
    locked.commander = new
    locked.save(update_fields=["commander", "updated_at"])
    if new is not None:
        locked.participants.add(new)
    timeline_add(
        incident=locked,
        kind=TimelineKind.ASSIGNMENT,
        actor=actor,
        text=f"commander: {old.get_username() if old else '-'} → {new.get_username() if new else '-'}",
        data={"field": "commander", "from": old.pk if old else None, "to": new.pk if new else None},
    )
    audit_record(actor=actor, verb="incident.commander", target=locked, data={"to": new.pk if new else None})
    return locked


@transaction.atomic
def incident_participant_set(*, actor: Any, incident: Incident, user_id: int, present: bool) -> Incident:
    """Add or remove a participant (responders may add or remove themselves; commanders anyone)."""
    require_role(actor, Role.RESPONDER, doing="Joining an incident")
    _require_visible(actor, incident)
    user = _user(user_id, "user_id")
    if user != actor:
        require_role(actor, Role.COMMANDER, doing="Changing someone else's participation")
    if present and not can_see(user, incident):
        raise InvalidInput("user_id: that user may not see this security incident.", field="user_id")
    Incident.objects.select_for_update().filter(pk=incident.pk).first()  # serialise joins/leaves of one incident
    already = incident.participants.filter(pk=user.pk).exists()
    if already == present:
        return incident
    if present:
        incident.participants.add(user)
    else:
        incident.participants.remove(user)
    timeline_add(
        incident=incident,
        kind=TimelineKind.ASSIGNMENT,
        actor=actor,
        text=f"participant {'added' if present else 'removed'}: {user.get_username()}",
        data={"field": "participants", "user": user.pk, "present": present},
    )
    return incident
