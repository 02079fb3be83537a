from django.contrib import admin

from anxin.warnings.models import Notification, Quieting, RiskDay, Warning, WarningEvent


class EventInline(admin.TabularInline):
    model = WarningEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "on", "at", "actor_name", "level", "status", "note", "detail")
    fields = ("kind", "on", "at", "actor_name", "level", "status", "note", "detail")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ["warning_no", "subject_id", "subject_name", "region_code", "level", "status", "raised_on"]
    list_filter = ["level", "status", "supervised"]
    search_fields = ["warning_no", "subject_id", "subject_name"]
    readonly_fields = [f.name for f in Warning._meta.fields]
    exclude = ["findings"]
    inlines = [EventInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # warnings come from the daily run; officials act on their pages


@admin.register(RiskDay)
class RiskDayAdmin(admin.ModelAdmin):
    list_display = ["as_of", "subject_type", "subject_id", "region_code", "level", "score"]
    list_filter = ["level", "as_of"]
    search_fields = ["subject_id"]


@admin.register(Quieting)
class QuietingAdmin(admin.ModelAdmin):
    list_display = ["subject_id", "reason", "from_on", "until_on"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "office_code", "title", "read_at", "emailed_at"]
    list_filter = ["office_code"]
