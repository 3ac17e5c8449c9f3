from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accord.accounts.models import ApiToken, Team, User


@admin.register(User)
class AccordUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "teams")
    fieldsets = (*UserAdmin.fieldsets, ("Accord", {"fields": ("role", "teams")}))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
