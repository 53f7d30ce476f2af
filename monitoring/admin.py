from django.contrib import admin

from monitoring.models import MetricSample, Node


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ("name", "network", "rpc_url", "status", "last_polled_at", "enabled")
    list_filter = ("network", "status", "enabled")
    search_fields = ("name", "rpc_url")
    readonly_fields = ("status", "last_error", "last_polled_at", "backoff_until", "created_at", "updated_at")


@admin.register(MetricSample)
class MetricSampleAdmin(admin.ModelAdmin):
    list_display = ("node", "taken_at", "reachable", "height", "peer_count", "mempool_size", "error")
    list_filter = ("reachable", "node")
    date_hierarchy = "taken_at"
    list_select_related = ("node",)
    readonly_fields = [f.name for f in MetricSample._meta.fields]
