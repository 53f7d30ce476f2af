"""API shapes of the incidents app. Input serializers validate shape only; services decide."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from incidents.models import (
    ActionItem,
    Incident,
    IncidentKind,
    PostMortem,
    SecurityLevel,
    Severity,
    TimelineEntry,
)
from incidents.models.postmortems import ActionItemKind
from incidents.selectors.incidents import incident_times


class UserRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField(source="get_username")


class TimelineEntrySerializer(serializers.ModelSerializer[TimelineEntry]):
    actor = serializers.SerializerMethodField(help_text="Username of who did it; null for the system.")

    class Meta:
        model = TimelineEntry
        fields = ["id", "seq", "kind", "actor", "text", "data", "pinned", "created_at"]
        read_only_fields = fields

    def get_actor(self, entry: TimelineEntry) -> str | None:
        return entry.actor.get_username() if entry.actor else None


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    severity_meaning = serializers.CharField(read_only=True, help_text="The playbook's meaning of the severity.")
    security_action = serializers.CharField(read_only=True, help_text="Required action for the security level.")
    commander = UserRefSerializer(read_only=True, allow_null=True)
    declared_by = UserRefSerializer(read_only=True, allow_null=True)
    participants = UserRefSerializer(many=True, read_only=True)
    affected_nodes = serializers.SerializerMethodField(help_text="Names of the affected nodes.")
    time_to_acknowledge_seconds = serializers.SerializerMethodField()
    time_to_resolve_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id", "title", "description", "severity", "severity_meaning", "kind", "status", "security_level",
            "security_action", "networks", "affected_nodes", "commander", "declared_by", "participants",
            "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at",
            "time_to_acknowledge_seconds", "time_to_resolve_seconds", "timeline_seq", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_affected_nodes(self, incident: Incident) -> list[str]:
        return [node.name for node in incident.affected_nodes.all()]

    def get_time_to_acknowledge_seconds(self, incident: Incident) -> float | None:
        value = incident_times(incident, now=timezone.now()).time_to_acknowledge
        return value.total_seconds() if value is not None else None

    def get_time_to_resolve_seconds(self, incident: Incident) -> float | None:
        value = incident_times(incident, now=timezone.now()).time_to_resolve
        return value.total_seconds() if value is not None else None


class IncidentDeclareSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices, help_text="P0 critical ... P3 low (see the playbook).")
    kind = serializers.ChoiceField(choices=IncidentKind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    security_level = serializers.ChoiceField(
        choices=SecurityLevel.choices, required=False, allow_null=True, help_text="Required for security_breach."
    )
    networks = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    affected_nodes = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Node ids.")
    commander_id = serializers.IntegerField(required=False, allow_null=True)
    detected_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class IncidentUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    security_level = serializers.ChoiceField(choices=SecurityLevel.choices, required=False, allow_null=True)
    networks = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    affected_nodes = serializers.ListField(child=serializers.IntegerField(), required=False)


class NoteSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(help_text="The note, plain text.")


class PinSerializer(serializers.Serializer[Any]):
    pinned = serializers.BooleanField()


class UserIdSerializer(serializers.Serializer[Any]):
    user_id = serializers.IntegerField(allow_null=True)


class ParticipantSerializer(serializers.Serializer[Any]):
    user_id = serializers.IntegerField()
    present = serializers.BooleanField(default=True, help_text="false removes the participant.")


class PostMortemSerializer(serializers.ModelSerializer[PostMortem]):
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    body_html = serializers.SerializerMethodField(help_text="The body rendered as sanitised HTML.")
    missing = serializers.SerializerMethodField(help_text="Required documentation not yet covered.")

    class Meta:
        model = PostMortem
        fields = [
            "id", "incident", "incident_title", "status", "body", "body_html", "missing", "published_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_body_html(self, postmortem: PostMortem) -> str:
        from incidents.markdown import render_markdown

        return render_markdown(postmortem.body)

    def get_missing(self, postmortem: PostMortem) -> list[str]:
        from incidents.services.postmortems import documentation_missing

        return documentation_missing(postmortem.body)


class PostMortemCreateSerializer(serializers.Serializer[Any]):
    pinned_only = serializers.BooleanField(default=False, help_text="Prefill the timeline with pinned entries only.")


class PostMortemBodySerializer(serializers.Serializer[Any]):
    body = serializers.CharField(help_text="Markdown.", trim_whitespace=False)


class PreviewSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


class PreviewResultSerializer(serializers.Serializer[Any]):
    html = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())


class ActionItemSerializer(serializers.ModelSerializer[ActionItem]):
    owner = UserRefSerializer(read_only=True, allow_null=True)
    incident = serializers.IntegerField(source="postmortem.incident_id", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "postmortem", "incident", "title", "kind", "owner", "due_date", "done", "done_at"]
        read_only_fields = fields


class ActionItemWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=300, required=False)
    kind = serializers.ChoiceField(choices=ActionItemKind.choices, required=False)
    owner_id = serializers.IntegerField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    done = serializers.BooleanField(required=False)


class ShiftSerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    user = UserRefSerializer(allow_null=True)
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    override = serializers.SerializerMethodField()

    def get_override(self, shift: Any) -> bool:
        return shift.override is not None


class OnCallSerializer(serializers.Serializer[Any]):
    rotation = serializers.CharField(source="rotation.name")
    time_zone = serializers.CharField(source="rotation.time_zone")
    at = serializers.DateTimeField()
    primary = ShiftSerializer()
    secondary = ShiftSerializer()


class ChecklistItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="item.id")
    text = serializers.CharField(source="item.text")
    done = serializers.BooleanField(source="item.done")
    checked_by = serializers.CharField(source="item.checked_by.get_username", allow_null=True, default=None)
    checked_at = serializers.DateTimeField(source="item.checked_at", allow_null=True)
    evidence_key = serializers.CharField(source="item.evidence_key")
    evidence = serializers.SerializerMethodField()

    def get_evidence(self, view: Any) -> dict[str, str] | None:
        if view.evidence is None:
            return None
        return {"status": view.evidence.status, "summary": view.evidence.summary, "link": view.evidence.link}


class ChecklistSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="instance.id")
    name = serializers.CharField(source="instance.template.name")
    period = serializers.CharField(source="instance.template.period")
    period_start = serializers.DateTimeField(source="instance.period_start")
    period_end = serializers.DateTimeField(source="instance.period_end")
    assignee = serializers.CharField(source="instance.assignee.get_username", allow_null=True, default=None)
    done_count = serializers.IntegerField()
    total = serializers.IntegerField()
    overdue = serializers.BooleanField()
    current = serializers.BooleanField()
    items = ChecklistItemSerializer(many=True)


class TickSerializer(serializers.Serializer[Any]):
    done = serializers.BooleanField(default=True)
