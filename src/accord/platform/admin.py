from django.contrib import admin
from django.http import HttpRequest

from accord.platform.models import AuditEntry, OutboxEvent


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """The audit trail is evidence: operators read it, nobody edits it."""

    list_display = ("at", "actor_label", "action", "subject_type", "subject_id")
    list_filter = ("action", "subject_type")
    search_fields = ("subject_id", "actor_label")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin[OutboxEvent]):
    list_display = ("id", "name", "created_at", "dispatched_at", "attempts")
    list_filter = ("name",)
    readonly_fields = ("name", "payload", "created_at", "dispatched_at", "attempts", "last_error")
    show_full_result_count = False
