from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from anxin.registry.models import Employment, Enterprise, Person, Project


class ReadOnly(admin.ModelAdmin):
    """Registry rows arrive through feeds; the admin only looks."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnly):
    list_display = ("uscc", "name", "kind", "region_code", "valid_from", "valid_to")
    search_fields = ("uscc", "name")


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = ("project_code", "name", "region_code", "status", "valid_from", "valid_to")
    search_fields = ("project_code", "name")
    list_filter = ("status",)


@admin.register(Person)
class PersonAdmin(ReadOnly):
    list_display = ("id_number_masked", "phone_masked", "bank_card_masked", "valid_from", "valid_to")
    exclude = ("id_number_enc", "phone_enc", "bank_card_enc", "name")


@admin.register(Employment)
class EmploymentAdmin(ReadOnly):
    list_display = ("project_code", "id_number_masked", "employer_uscc", "trade", "start_date", "end_date")
    search_fields = ("project_code", "employer_uscc")
