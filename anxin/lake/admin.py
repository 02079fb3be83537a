from django.contrib import admin

from anxin.lake.models import Batch


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "received_at", "status", "submitted_by")
    list_filter = ("source", "status")
