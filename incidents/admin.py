"""Django admin for every incidents model; level 3-4 security incidents only for the security group."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.roles import in_security_group
from incidents.models import (
    ActionItem,
    ChecklistInstance,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    EscalationPolicy,
    Incident,
    PostMortem,
    Rotation,
    RotationMember,
    RotationOverride,
    TimelineEntry,
)
from incidents.selectors.incidents import restricted_q


class _SecurityScoped(admin.ModelAdmin):
    """Hides rows of level 3-4 security incidents from staff outside the security group."""

    incident_path = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if not in_security_group(request.user):
            queryset = queryset.exclude(restricted_q(self.incident_path))
        return queryset


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ("seq", "created_at", "kind", "actor", "text", "pinned")
    readonly_fields = ("seq", "created_at", "kind", "actor", "text")
    can_delete = False
    ordering = ("seq",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # entries are written by services (timeline_add), never by hand


@admin.register(Incident)
class IncidentAdmin(_SecurityScoped):
    list_display = ("id", "severity", "title", "kind", "status", "security_level", "commander", "detected_at")
    list_filter = ("severity", "status", "kind", "security_level")
    search_fields = ("title", "description")
    date_hierarchy = "detected_at"
    filter_horizontal = ("participants", "affected_nodes")
    # Status and its stamps change only through the lifecycle commands (services).
    readonly_fields = (
        "status", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at", "timeline_seq",
        "escalation_task_id", "escalation_step", "escalation_due_at", "created_at", "updated_at",
    )  # fmt: skip
    inlines = [TimelineInline]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(_SecurityScoped):
    incident_path = "incident__"
    list_display = ("incident", "seq", "kind", "actor", "text", "pinned", "created_at")
    list_filter = ("kind", "pinned")
    search_fields = ("text",)
    list_select_related = ("incident", "actor")
    readonly_fields = ("incident", "seq", "kind", "actor", "text", "data", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class RotationMemberInline(admin.TabularInline):
    model = RotationMember
    extra = 1


class RotationOverrideInline(admin.TabularInline):
    model = RotationOverride
    extra = 0


@admin.register(Rotation)
class RotationAdmin(admin.ModelAdmin):
    list_display = ("name", "cadence", "handoff_hour", "handoff_weekday", "time_zone", "start_date", "active")
    inlines = [RotationMemberInline, RotationOverrideInline]


@admin.register(RotationMember)
class RotationMemberAdmin(admin.ModelAdmin):
    list_display = ("rotation", "role", "position", "user")
    list_filter = ("rotation", "role")


@admin.register(RotationOverride)
class RotationOverrideAdmin(admin.ModelAdmin):
    list_display = ("rotation", "role", "user", "starts_at", "ends_at", "reason")
    list_filter = ("rotation", "role")


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "severity", "enabled", "rotation", "primary_after_minutes", "secondary_after_minutes",
        "escalation_after_minutes",
    )  # fmt: skip


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0


@admin.register(PostMortem)
class PostMortemAdmin(_SecurityScoped):
    incident_path = "incident__"
    list_display = ("incident", "status", "author", "updated_at", "published_at")
    list_filter = ("status",)
    readonly_fields = ("status", "published_at", "created_at", "updated_at")
    inlines = [ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(_SecurityScoped):
    incident_path = "postmortem__incident__"
    list_display = ("title", "kind", "owner", "due_date", "done", "postmortem")
    list_filter = ("done", "kind")
    search_fields = ("title",)


class ChecklistTemplateItemInline(admin.TabularInline):
    model = ChecklistTemplateItem
    extra = 1


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "period", "active")
    inlines = [ChecklistTemplateItemInline]


@admin.register(ChecklistTemplateItem)
class ChecklistTemplateItemAdmin(admin.ModelAdmin):
    list_display = ("template", "position", "text", "evidence_key")
    list_filter = ("template",)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    readonly_fields = ("checked_by", "checked_at")


@admin.register(ChecklistInstance)
class ChecklistInstanceAdmin(admin.ModelAdmin):
    list_display = ("template", "period_start", "period_end", "assignee")
    list_filter = ("template",)
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("instance", "position", "text", "checked_by", "checked_at")
    list_filter = ("instance__template",)
