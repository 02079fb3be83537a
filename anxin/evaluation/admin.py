from django.contrib import admin

from anxin.evaluation.models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["as_of", "uscc", "name", "score", "grade", "projects", "capped"]
    list_filter = ["grade", "as_of"]
    search_fields = ["uscc", "name"]
    readonly_fields = [f.name for f in Evaluation._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # scores come from the daily run
