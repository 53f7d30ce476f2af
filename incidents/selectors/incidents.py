"""Reads of incidents and timelines, with the security visibility rule applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from core.errors import InvalidInput, NotFound
from core.roles import ROLE_ORDER, SECURITY_GROUP, Role, has_role, in_security_group
from incidents.inputs import clean_text, lookup_id
from incidents.lifecycle import INCIDENT_TRANSITIONS, allowed_commands
from incidents.models import Incident, IncidentKind, IncidentStatus, Severity, TimelineEntry
from incidents.models.incidents import RESTRICTED_SECURITY_LEVEL


def restricted_q(prefix: str = "") -> Q:
    """Rows whose incident is a level 3-4 security incident."""
    return Q(**{f"{prefix}security_level__gte": RESTRICTED_SECURITY_LEVEL})


def can_see(user: Any, incident: Incident) -> bool:
    if not has_role(user, Role.VIEWER):
        return False
    return not incident.is_restricted or in_security_group(user)


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    """Every incident the user may see: level 3-4 only for the security group and admins."""
    queryset = Incident.objects.select_related("commander", "declared_by").prefetch_related(
        "participants", "affected_nodes"
    )
    if not has_role(user, Role.VIEWER):
        return queryset.none()
    if not in_security_group(user):
        queryset = queryset.exclude(restricted_q())
    return queryset


def incident_list(
    *,
    user: Any,
    severity: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    search: str | None = None,
) -> QuerySet[Incident]:
    queryset = incidents_visible_to(user)
    for name, value, choices in (
        ("severity", severity, Severity.values),
        ("status", status, IncidentStatus.values),
        ("kind", kind, IncidentKind.values),
    ):
        if value:
            if value not in choices:
                raise InvalidInput(f"{name} must be one of {', '.join(choices)} (got {value!r}).", field=name)
            queryset = queryset.filter(**{name: value})
    if since is not None:
        queryset = queryset.filter(detected_at__gte=since)
    if until is not None:
        queryset = queryset.filter(detected_at__lte=until)
    if search:
        search = clean_text(search, field="search", max_length=200)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return queryset


def incident_get(*, user: Any, incident_id: int | str) -> Incident:
    """The incident, or NotFound (also when the user may not see it: existence is not leaked)."""
    pk = lookup_id(incident_id)
    incident = incidents_visible_to(user).filter(pk=pk).first() if pk is not None else None
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist.")
    return incident


def timeline_entries(*, incident: Incident, after_seq: int = 0, pinned_only: bool = False) -> QuerySet[TimelineEntry]:
    queryset = incident.timeline.select_related("actor").filter(seq__gt=after_seq).order_by("seq")
    if pinned_only:
        queryset = queryset.filter(pinned=True)
    return queryset


@dataclass(frozen=True)
class IncidentTimes:
    time_to_acknowledge: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    open_for: timedelta | None


def incident_times(incident: Incident, *, now: datetime) -> IncidentTimes:
    """Durations measured from detection; ``open_for`` runs until resolution (or now)."""

    def since_detected(when: datetime | None) -> timedelta | None:
        return when - incident.detected_at if when else None

    return IncidentTimes(
        time_to_acknowledge=since_detected(incident.acknowledged_at),
        time_to_mitigate=since_detected(incident.mitigated_at),
        time_to_resolve=since_detected(incident.resolved_at),
        open_for=(incident.resolved_at or now) - incident.detected_at,
    )


def commander_candidates(incident: Incident) -> QuerySet[Any]:
    """Active users who may command ``incident``, in one query (the role rule of core.roles, as a filter)."""
    roles = [role.value for role in ROLE_ORDER[ROLE_ORDER.index(Role.COMMANDER) :]]
    queryset = get_user_model().objects.filter(is_active=True)
    queryset = queryset.filter(Q(is_superuser=True) | Q(groups__name__in=roles))
    if incident.is_restricted:
        queryset = queryset.filter(
            Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value) | Q(groups__name=SECURITY_GROUP)
        )
    return queryset.distinct().order_by("username")


def incident_commands(*, user: Any, incident: Incident) -> list[str]:
    """The lifecycle commands this user may run on the incident now (for buttons)."""
    return [
        command
        for command in allowed_commands(INCIDENT_TRANSITIONS, incident.status)
        if has_role(user, INCIDENT_TRANSITIONS[command].role)
    ]


def format_duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if seconds < 0 else ""
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m {secs:02d}s"
