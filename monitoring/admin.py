from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from core.errors import ConsoleError
from monitoring import services
from monitoring.models import MetricSample, Node

FORM_FIELDS = services.EDITABLE_FIELDS


class NodeAdminForm(forms.ModelForm):
    """The registry's own validation (URLs, credential references), shown per field."""

    # Plain text fields: the service's URL rules are stricter than URLField's and explain themselves.
    rpc_url = forms.CharField(max_length=300)
    metrics_url = forms.CharField(max_length=300, required=False)

    class Meta:
        model = Node
        fields = FORM_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            services.node_validate(data={name: cleaned.get(name) for name in FORM_FIELDS})
        except ConsoleError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
        return cleaned


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    form = NodeAdminForm
    list_display = ("name", "network", "rpc_url", "status", "last_polled_at", "enabled")
    list_filter = ("network", "status", "enabled")
    search_fields = ("name", "rpc_url")
    readonly_fields = (
        "status",
        "last_error",
        "last_polled_at",
        "backoff_until",
        "rate_limited_polls",
        "created_at",
        "updated_at",
    )
    actions: list[Any] = []  # no bulk delete: nodes with history are disabled, one at a time

    def save_model(self, request: HttpRequest, obj: Node, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in FORM_FIELDS}
        # Writes go through the services: same rules, same audit log as the API.
        if change:
            saved = services.node_update(actor=request.user, node_id=obj.pk, data=data)
        else:
            saved = services.node_create(actor=request.user, data=data)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Node) -> None:
        try:
            services.node_delete(actor=request.user, node_id=obj.pk)
        except ConsoleError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)


@admin.register(MetricSample)
class MetricSampleAdmin(admin.ModelAdmin):
    list_display = ("node", "taken_at", "reachable", "height", "peer_count", "mempool_size", "error")
    list_filter = ("reachable", "node")
    date_hierarchy = "taken_at"
    list_select_related = ("node",)
    readonly_fields = [f.name for f in MetricSample._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # samples come from the poller only
