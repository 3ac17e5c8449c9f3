from django.contrib import admin

from accord.customers.models import Customer, Identity, Merge


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    readonly_fields = ("first_seen", "last_seen")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "kind", "owner", "team", "lifecycle", "merged_into")
    list_filter = ("kind", "lifecycle", "team")
    search_fields = ("name_key", "identities__value")
    raw_id_fields = ("organisation", "owner", "merged_into")
    readonly_fields = ("name_key", "family_key", "created_at", "updated_at")
    inlines = [IdentityInline]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is waste


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    list_display = ("survivor", "loser", "actor", "merged_at", "undone_at")
    raw_id_fields = ("survivor", "loser")
    readonly_fields = ("snapshot",)
