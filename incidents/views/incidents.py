"""Incident pages: list with filters, declare form, detail with live timeline and commands."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import ConsoleError, InvalidInput
from core.pages import refusals_as_messages
from core.roles import Role, has_role, require_role
from incidents.inputs import parse_day
from incidents.lifecycle import INCIDENT_TRANSITIONS
from incidents.models import (
    SECURITY_LEVEL_ACTIONS,
    SEVERITY_MEANINGS,
    IncidentKind,
    IncidentStatus,
    SecurityLevel,
    Severity,
)
from incidents.selectors import incidents as sel
from incidents.services import incidents as svc
from incidents.services import postmortems as pm_svc
from incidents.services.timeline import incident_note_add, timeline_pin
from monitoring.models import Node


def _day(request: HttpRequest, name: str, end: bool = False) -> datetime | None:
    raw = request.GET.get(name) or ""
    if not raw:
        return None
    day = parse_day(raw, field=name)
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def incident_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.VIEWER, doing="Viewing incidents")
    filters = {key: request.GET.get(key, "") for key in ("severity", "status", "kind", "since", "until", "q")}
    incidents = sel.incident_list(
        user=request.user,
        severity=filters["severity"] or None,
        status=filters["status"] or None,
        kind=filters["kind"] or None,
        since=_day(request, "since"),
        until=_day(request, "until", end=True),
        search=filters["q"] or None,
    )[:200]
    return render(
        request,
        "incidents/list.html",
        {
            "incidents": incidents,
            "filters": filters,
            "severities": Severity.choices,
            "statuses": IncidentStatus.choices,
            "kinds": IncidentKind.choices,
            "meanings": SEVERITY_MEANINGS,
            "can_declare": has_role(request.user, Role.RESPONDER),
        },
    )


def incident_declare(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.RESPONDER, doing="Declaring an incident")
    error: ConsoleError | None = None
    values: dict[str, Any] = {"severity": "P1", "kind": "other"}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            incident = svc.incident_declare(
                actor=request.user,
                title=values.get("title", ""),
                severity=values.get("severity", ""),
                kind=values.get("kind", ""),
                description=values.get("description", ""),
                security_level=values.get("security_level") or None,
                networks=values.get("networks", ""),
                affected_nodes=request.POST.getlist("affected_nodes"),
            )
        except InvalidInput as exc:
            error = exc
        else:
            messages.success(request, f"Incident #{incident.pk} declared.")
            return redirect("incidents:detail", pk=incident.pk)
    return render(
        request,
        "incidents/declare.html",
        {
            "error": error,
            "values": values,
            "severities": [(value, label, SEVERITY_MEANINGS[value]) for value, label in Severity.choices],
            "kinds": IncidentKind.choices,
            "levels": [(value, label, SECURITY_LEVEL_ACTIONS[value]) for value, label in SecurityLevel.choices],
            "nodes": Node.objects.all(),
        },
        status=400 if error else 200,
    )


def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = sel.incident_get(user=request.user, incident_id=pk)
    entries = list(sel.timeline_entries(incident=incident))
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "entries": entries,
            "last_seq": entries[-1].seq if entries else 0,
            "times": sel.incident_times(incident, now=timezone.now()),
            "severity_labels": {
                value: {"label": label, "meaning": SEVERITY_MEANINGS.get(value, "")}
                for value, label in Severity.choices
            },
            "command_buttons": [
                {"name": name, "sources": sorted(t.sources), "visible": incident.status in t.sources}
                for name, t in INCIDENT_TRANSITIONS.items()
                if has_role(request.user, t.role)
            ],
            "can_respond": has_role(request.user, Role.RESPONDER),
            "can_command": has_role(request.user, Role.COMMANDER),
            "commanders": sel.commander_candidates(incident) if has_role(request.user, Role.COMMANDER) else [],
            "postmortem": getattr(incident, "postmortem", None),
            "is_participant": incident.participants.filter(pk=getattr(request.user, "pk", 0)).exists(),
        },
    )


@require_POST
def incident_command(request: HttpRequest, pk: int, command: str) -> HttpResponse:
    incident = sel.incident_get(user=request.user, incident_id=pk)
    with refusals_as_messages(request):
        svc.incident_transition(actor=request.user, incident=incident, command=command)
    return redirect("incidents:detail", pk=pk)


@require_POST
def incident_note(request: HttpRequest, pk: int) -> HttpResponse:
    incident = sel.incident_get(user=request.user, incident_id=pk)
    with refusals_as_messages(request):
        incident_note_add(actor=request.user, incident=incident, text=request.POST.get("text", ""))
    return redirect("incidents:detail", pk=pk)


@require_POST
def incident_pin(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    incident = sel.incident_get(user=request.user, incident_id=pk)
    timeline_pin(actor=request.user, incident=incident, seq=seq, pinned=request.POST.get("pinned") == "1")
    return redirect("incidents:detail", pk=pk)


@require_POST
def incident_commander(request: HttpRequest, pk: int) -> HttpResponse:
    incident = sel.incident_get(user=request.user, incident_id=pk)
    raw = request.POST.get("user_id", "")
    with refusals_as_messages(request):
        svc.incident_set_commander(actor=request.user, incident=incident, user_id=raw or None)
    return redirect("incidents:detail", pk=pk)


@require_POST
def incident_join(request: HttpRequest, pk: int) -> HttpResponse:
    incident = sel.incident_get(user=request.user, incident_id=pk)
    svc.incident_participant_set(
        actor=request.user,
        incident=incident,
        user_id=int(request.user.pk or 0),
        present=request.POST.get("present") == "1",
    )
    return redirect("incidents:detail", pk=pk)


@require_POST
def incident_postmortem(request: HttpRequest, pk: int) -> HttpResponse:
    incident = sel.incident_get(user=request.user, incident_id=pk)
    existing = getattr(incident, "postmortem", None)
    if existing is None:
        existing = pm_svc.postmortem_create(
            actor=request.user, incident=incident, pinned_only=request.POST.get("pinned_only") == "1"
        )
    return redirect("incidents:postmortem", pk=existing.pk)
