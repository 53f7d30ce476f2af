from django.contrib import admin

from core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "verb", "target_type", "target_id")
    list_filter = ("verb", "target_type")
    search_fields = ("verb", "target_id", "actor__username")
    readonly_fields = ("created_at", "actor", "verb", "target_type", "target_id", "data")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
