"""Incidents, their timeline, on-call rotations, post-mortems and checklists."""

from incidents.models.checklists import (
    ChecklistInstance,
    ChecklistItem,
    ChecklistPeriod,
    ChecklistTemplate,
    ChecklistTemplateItem,
)
from incidents.models.incidents import (
    SECURITY_LEVEL_ACTIONS,
    SEVERITY_MEANINGS,
    Incident,
    IncidentKind,
    IncidentStatus,
    SecurityLevel,
    Severity,
    TimelineEntry,
    TimelineKind,
)
from incidents.models.oncall import (
    EscalationPolicy,
    HandoffCadence,
    OnCallRole,
    Rotation,
    RotationMember,
    RotationOverride,
)
from incidents.models.postmortems import ActionItem, PostMortem, PostMortemStatus

__all__ = [
    "SECURITY_LEVEL_ACTIONS",
    "SEVERITY_MEANINGS",
    "ActionItem",
    "ChecklistInstance",
    "ChecklistItem",
    "ChecklistPeriod",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "EscalationPolicy",
    "HandoffCadence",
    "Incident",
    "IncidentKind",
    "IncidentStatus",
    "OnCallRole",
    "PostMortem",
    "PostMortemStatus",
    "Rotation",
    "RotationMember",
    "RotationOverride",
    "SecurityLevel",
    "Severity",
    "TimelineEntry",
    "TimelineKind",
]
