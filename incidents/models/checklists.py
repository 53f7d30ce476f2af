"""The playbook's recurring operations checklists: templates and per-period instances."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChecklistPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class ChecklistTemplate(models.Model):
    name = models.CharField(max_length=100, unique=True)
    period = models.CharField(max_length=8, choices=ChecklistPeriod.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=200)
    evidence_key = models.SlugField(
        max_length=64, blank=True, help_text="Name of an evidence provider that can check this item itself."
    )

    class Meta:
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.text


class ChecklistInstance(models.Model):
    """One template for one period; the unique constraint makes creation idempotent."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="instances")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "template"]
        constraints = [
            models.UniqueConstraint(fields=["template", "period_start"], name="checklist_one_instance_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.template.name} {self.period_start:%Y-%m-%d}"


class ChecklistItem(models.Model):
    instance = models.ForeignKey(ChecklistInstance, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=200)
    evidence_key = models.SlugField(max_length=64, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instance", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def done(self) -> bool:
        return self.checked_at is not None
