from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from anxin.core.models import (
    ApiToken,
    AuditEntry,
    CalendarDay,
    CalendarYear,
    CountyWageTier,
    Division,
    DivisionChange,
    MinimumWage,
    Organisation,
    User,
)


@admin.register(User)
class AnxinUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("安薪", {"fields": ("display_name", "role", "organisation")}))  # type: ignore[misc]
    list_display = ("username", "display_name", "role", "organisation", "is_active")
    list_filter = ("role", "organisation__level", "is_active")


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "city_code", "short_name")
    list_filter = ("level", "city_code")
    search_fields = ("code", "name")


@admin.register(DivisionChange)
class DivisionChangeAdmin(admin.ModelAdmin):
    list_display = ("old_code", "old_name", "new_code", "year")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "division")
    list_filter = ("level",)
    search_fields = ("name",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("day", "is_working_day", "reason")


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ("tier", "monthly_fen", "hourly_fen", "effective_from", "confirmed")
    list_filter = ("confirmed", "effective_from")


@admin.register(CountyWageTier)
class CountyWageTierAdmin(admin.ModelAdmin):
    list_display = ("division", "tier", "effective_from", "confirmed")
    list_filter = ("tier", "confirmed")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "last_used_at", "revoked")
    readonly_fields = ("token_hash",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "reason")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_id", "reason")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
