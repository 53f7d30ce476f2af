"""Django admin for every incidents model; level 3-4 security incidents only for the security group."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

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
from incidents.models.incidents import RESTRICTED_SECURITY_LEVEL, IncidentKind, TimelineKind
from incidents.selectors.incidents import restricted_q
from incidents.services import escalation
from incidents.services.timeline import timeline_add

# Paths from a foreign key's target model to the incident whose security level scopes it.
_SCOPED_TARGETS: dict[type[Any], str] = {Incident: "", PostMortem: "incident__"}


class _ScopedChoices:
    """Foreign-key pickers never list (and so never leak the titles of) level 3-4 incidents."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        path = _SCOPED_TARGETS.get(db_field.related_model)
        if path is not None and not in_security_group(request.user):
            kwargs["queryset"] = db_field.related_model.objects.exclude(restricted_q(path))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class _SecurityScoped(_ScopedChoices, admin.ModelAdmin):
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


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "-"
    if isinstance(value, list | tuple | QuerySet):
        return ", ".join(sorted(str(getattr(v, "name", None) or getattr(v, "username", None) or v) for v in value))
    return str(getattr(value, "username", None) or value)


class IncidentAdminForm(forms.ModelForm):
    """Applies the service rule that only the security group classifies at level 3-4."""

    user: Any = None

    def clean_security_level(self) -> int | None:
        level: int | None = self.cleaned_data.get("security_level")
        if (level or 0) >= RESTRICTED_SECURITY_LEVEL and not in_security_group(self.user):
            raise forms.ValidationError("Only members of the security group can classify at level 3-4.")
        return level

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        kind, level = cleaned.get("kind"), cleaned.get("security_level")
        if kind == IncidentKind.SECURITY_BREACH and not level:
            self.add_error("security_level", "A security breach needs its classification level (1-4).")
        if level and kind and kind != IncidentKind.SECURITY_BREACH:
            self.add_error("security_level", "Only security breaches carry a classification level.")
        return cleaned


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
    form = IncidentAdminForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Edits made here reach the timeline (and the live page) like every other change."""
        super().save_related(request, form, formsets, change)
        incident = form.instance
        if not change:
            timeline_add(
                incident=incident,
                kind=TimelineKind.DECLARED,
                actor=request.user,
                text=f"Declared in the admin: {incident.severity} ({incident.severity_meaning}): {incident.title}",
                data={"severity": incident.severity, "kind": incident.kind, "security_level": incident.security_level},
            )
            escalation.escalation_start(incident=incident, now=timezone.now())
            return
        for field in form.changed_data:
            old, new = form.initial.get(field), form.cleaned_data.get(field)
            timeline_add(
                incident=incident,
                kind=TimelineKind.CHANGE,
                actor=request.user,
                text=f"{field}: {_shown(old)} → {_shown(new)} (in the admin)",
                data={"field": field, "from": _shown(old), "to": _shown(new), "via": "admin"},
            )


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


class ActionItemInline(_ScopedChoices, admin.TabularInline):
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
