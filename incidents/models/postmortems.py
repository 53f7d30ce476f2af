"""Post-mortems (one per incident) and their action items."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from incidents.models.incidents import Incident


class PostMortemStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class PostMortem(models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    status = models.CharField(max_length=16, choices=PostMortemStatus.choices, default=PostMortemStatus.DRAFT)
    body = models.TextField(help_text="Markdown, from the playbook's post-mortem template.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Post-mortem of {self.incident}"


class ActionItemKind(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate fix"
    LONG_TERM = "long_term", "Long-term improvement"
    PROCESS = "process", "Process change"
    TRAINING = "training", "Training"


class ActionItem(models.Model):
    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=ActionItemKind.choices, default=ActionItemKind.IMMEDIATE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "due_date", "id"]

    def __str__(self) -> str:
        return self.title
