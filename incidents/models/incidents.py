"""Incidents and their timeline."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    P0 = "P0", "P0 (Critical)"
    P1 = "P1", "P1 (High)"
    P2 = "P2", "P2 (Medium)"
    P3 = "P3", "P3 (Low)"


# The playbook's meaning of each severity, shown next to it everywhere.
SEVERITY_MEANINGS: dict[str, str] = {
    Severity.P0: "Mainnet down, data loss, security breach",
    Severity.P1: "Performance degradation, partial outage",
    Severity.P2: "Minor issues, no user impact",
    Severity.P3: "Cosmetic issues, feature requests",
}


class IncidentKind(models.TextChoices):
    MAINNET_DOWN = "mainnet_down", "Mainnet down"
    SECURITY_BREACH = "security_breach", "Security breach"
    DATA_CORRUPTION = "data_corruption", "Data corruption"
    PERFORMANCE_DEGRADATION = "performance_degradation", "Performance degradation"
    OTHER = "other", "Other"


class IncidentStatus(models.TextChoices):
    TRIGGERED = "triggered", "Triggered"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    MITIGATED = "mitigated", "Mitigated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class SecurityLevel(models.IntegerChoices):
    INFORMATION_GATHERING = 1, "Level 1: Information gathering"
    ATTEMPTED_BREACH = 2, "Level 2: Attempted breach"
    SUCCESSFUL_BREACH = 3, "Level 3: Successful breach"
    CRITICAL_COMPROMISE = 4, "Level 4: Critical compromise"


# The playbook's security incident workflow: the required action per level.
SECURITY_LEVEL_ACTIONS: dict[int, str] = {
    1: "Monitor",
    2: "Block & alert",
    3: "Isolate & investigate",
    4: "Emergency protocol",
}
# Levels at or above this one are visible only to the security group and admins.
RESTRICTED_SECURITY_LEVEL = 3


class Incident(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=2, choices=Severity.choices)
    kind = models.CharField(max_length=32, choices=IncidentKind.choices, default=IncidentKind.OTHER)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.TRIGGERED)
    security_level = models.PositiveSmallIntegerField(
        choices=SecurityLevel.choices, null=True, blank=True, help_text="Security incidents only (playbook level 1-4)."
    )
    networks = models.JSONField(default=list, blank=True, help_text='Affected networks, e.g. ["mainnet"].')
    affected_nodes = models.ManyToManyField("monitoring.Node", blank=True, related_name="incidents")
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="commanded_incidents"
    )
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="incidents")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="declared_incidents"
    )

    detected_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    mitigated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Last allocated timeline sequence number (allocated under select_for_update).
    timeline_seq = models.PositiveIntegerField(default=0, editable=False)
    # Escalation timer: the pending task's id; a task that finds another id here exits.
    escalation_task_id = models.CharField(max_length=64, blank=True, editable=False)
    escalation_step = models.PositiveSmallIntegerField(default=0, editable=False)
    escalation_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["status", "severity"]), models.Index(fields=["-detected_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(security_level__isnull=True)
                | models.Q(security_level__gte=1, security_level__lte=4),
                name="incident_security_level_1_4",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} [{self.severity}] {self.title}"

    @property
    def severity_meaning(self) -> str:
        return SEVERITY_MEANINGS.get(self.severity, "")

    @property
    def security_action(self) -> str:
        return SECURITY_LEVEL_ACTIONS.get(self.security_level or 0, "")

    @property
    def is_restricted(self) -> bool:
        return (self.security_level or 0) >= RESTRICTED_SECURITY_LEVEL

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return self.acknowledged_at - self.detected_at if self.acknowledged_at else None

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self.resolved_at - self.detected_at if self.resolved_at else None


class TimelineKind(models.TextChoices):
    DECLARED = "declared", "Declared"
    STATUS = "status", "Status change"
    CHANGE = "change", "Field change"
    ASSIGNMENT = "assignment", "Assignment"
    NOTE = "note", "Note"
    ESCALATION = "escalation", "Escalation"
    NOTIFICATION = "notification", "Notification"
    ALERT = "alert", "Alert"
    ACTION_RUN = "action_run", "Action run"
    POSTMORTEM = "postmortem", "Post-mortem"
    SYSTEM = "system", "System"


class TimelineEntry(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    seq = models.PositiveIntegerField(help_text="Per-incident, strictly increasing.")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["incident", "seq"]
        constraints = [models.UniqueConstraint(fields=["incident", "seq"], name="timeline_unique_seq")]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"#{self.incident_id}.{self.seq} {self.kind}: {self.text[:60]}"
