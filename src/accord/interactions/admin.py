from django.contrib import admin

from accord.interactions.models import Attachment, Interaction, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ("customer",)
    fields = ("role", "customer", "address")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ("filename", "content_type", "size", "sha256")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "channel", "direction", "subject", "source")
    list_filter = ("channel", "direction")
    search_fields = ("external_id", "subject")
    date_hierarchy = "occurred_at"
    readonly_fields = ("created_at", "created_by")
    inlines = [ParticipantInline, AttachmentInline]
    show_full_result_count = False
