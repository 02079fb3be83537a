"""Admin: read-mostly views of cases and leads; never the complainant's identity."""

from django.contrib import admin

from anxin.leads.models import Case, CaseEvent, Lead, ProjectQr


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ("kind", "on", "actor_name", "note")
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("case_no", "target_name", "region_code", "routed_by", "status", "supervised", "received_at")
    list_filter = ("status", "routed_by", "supervised", "channel")
    search_fields = ("case_no", "target_name", "project_code", "target_uscc")
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseEventInline]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("lead_id", "channel", "received_at", "target_name", "routed_by", "routed_region_code")
    list_filter = ("channel", "routed_by")
    search_fields = ("lead_id", "target_name")
    exclude = ("complainant_name_enc", "complainant_phone_enc", "lookup_hash", "row_hash")
    readonly_fields = [
        f.name
        for f in Lead._meta.fields
        if f.name not in ("complainant_name_enc", "complainant_phone_enc", "lookup_hash", "row_hash")
    ]


@admin.register(ProjectQr)
class ProjectQrAdmin(admin.ModelAdmin):
    list_display = ("project_code", "created_at")
    search_fields = ("project_code",)
    exclude = ("token",)
