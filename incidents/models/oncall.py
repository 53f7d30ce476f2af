"""On-call rotations, overrides and escalation policies."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from incidents.models.incidents import Severity


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Berlin).") from None


class HandoffCadence(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class OnCallRole(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class Rotation(models.Model):
    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    cadence = models.CharField(max_length=8, choices=HandoffCadence.choices, default=HandoffCadence.WEEKLY)
    handoff_hour = models.PositiveSmallIntegerField(default=9, help_text="Local hour (0-23) of the handoff.")
    handoff_weekday = models.PositiveSmallIntegerField(
        default=0, help_text="Weekly rotations: 0 = Monday ... 6 = Sunday."
    )
    start_date = models.DateField(help_text="Local date of the first shift (member #1 starts then).")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(handoff_hour__lte=23), name="rotation_handoff_hour_0_23"),
            models.CheckConstraint(condition=models.Q(handoff_weekday__lte=6), name="rotation_handoff_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return self.name


class RotationMember(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=OnCallRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rotation_slots")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rotation", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "role", "position"], name="rotation_member_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.rotation} {self.role} #{self.position}: {self.user}"


class RotationOverride(models.Model):
    """A one-off replacement: ``user`` holds ``role`` from ``starts_at`` until ``ends_at``."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="overrides")
    role = models.CharField(max_length=16, choices=OnCallRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rotation_overrides")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="override_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.rotation} {self.role}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"


class EscalationPolicy(models.Model):
    """Per severity: when to page primary, then secondary, then the escalation contact.

    Delays count from the incident's declaration; acknowledgement stops the chain.
    ``None`` means the step is skipped.
    """

    severity = models.CharField(max_length=2, unique=True, choices=Severity.choices)
    enabled = models.BooleanField(default=True)
    rotation = models.ForeignKey(
        Rotation, null=True, blank=True, on_delete=models.SET_NULL, help_text="Empty: the first active rotation."
    )
    primary_after_minutes = models.PositiveIntegerField(null=True, blank=True, default=0)
    secondary_after_minutes = models.PositiveIntegerField(null=True, blank=True, default=15)
    escalation_after_minutes = models.PositiveIntegerField(null=True, blank=True, default=30)

    class Meta:
        ordering = ["severity"]
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return f"{self.severity} escalation"
