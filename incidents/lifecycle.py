"""The incident and post-mortem state machines, declared once.

Every status change goes through these tables: the services look up the
command here, the API exposes one endpoint per command, the pages show one
button per allowed command, and the tests walk every (state, command) pair.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Conflict
from core.roles import Role
from incidents.models import IncidentStatus, PostMortemStatus


@dataclass(frozen=True)
class Transition:
    command: str
    sources: frozenset[str]
    target: str
    role: Role
    stamp: str | None = None  # the incident field set to "now"


INCIDENT_TRANSITIONS: dict[str, Transition] = {
    t.command: t
    for t in (
        Transition(
            "acknowledge",
            frozenset({IncidentStatus.TRIGGERED}),
            IncidentStatus.ACKNOWLEDGED,
            Role.RESPONDER,
            "acknowledged_at",
        ),
        Transition(
            "mitigate",
            frozenset({IncidentStatus.ACKNOWLEDGED}),
            IncidentStatus.MITIGATED,
            Role.COMMANDER,
            "mitigated_at",
        ),
        Transition(
            "resolve",
            frozenset({IncidentStatus.ACKNOWLEDGED, IncidentStatus.MITIGATED}),
            IncidentStatus.RESOLVED,
            Role.COMMANDER,
            "resolved_at",
        ),
        Transition("close", frozenset({IncidentStatus.RESOLVED}), IncidentStatus.CLOSED, Role.COMMANDER, "closed_at"),
    )
}

POSTMORTEM_TRANSITIONS: dict[str, Transition] = {
    t.command: t
    for t in (
        Transition("submit", frozenset({PostMortemStatus.DRAFT}), PostMortemStatus.IN_REVIEW, Role.COMMANDER),
        Transition("reopen", frozenset({PostMortemStatus.IN_REVIEW}), PostMortemStatus.DRAFT, Role.COMMANDER),
        Transition(
            "publish",
            frozenset({PostMortemStatus.IN_REVIEW}),
            PostMortemStatus.PUBLISHED,
            Role.COMMANDER,
            "published_at",
        ),
    )
}


def allowed_commands(table: dict[str, Transition], status: str) -> list[str]:
    return [t.command for t in table.values() if status in t.sources]


def check_transition(table: dict[str, Transition], command: str, status: str, *, what: str) -> Transition:
    """The transition for ``command`` from ``status``, or Conflict naming the state and the allowed commands."""
    transition = table.get(command)
    if transition is None:
        raise Conflict(f"unknown command {command!r}; known: {', '.join(table)}.")
    if status not in transition.sources:
        allowed = allowed_commands(table, status)
        raise Conflict(
            f"cannot {command} this {what}: it is {status}; allowed from {status}: "
            f"{', '.join(allowed) if allowed else 'nothing (final state)'}.",
            details={"status": status, "allowed": allowed},
        )
    return transition
