from django.contrib import admin
from django.urls import include, path

from anxin.api import api
from anxin.lake import views as lake_views

admin.site.site_header = "安薪 · 系统管理"
admin.site.site_title = "安薪"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", lake_views.home, name="home"),
    path("", include("anxin.core.urls")),
    path("registry/", include("anxin.registry.urls")),
    path("lake/", include("anxin.lake.urls")),
    path("monitoring/", include("anxin.monitoring.urls")),
    path("warnings/", include("anxin.warnings.urls")),
    path("evaluation/", include("anxin.evaluation.urls")),
    path("", include("anxin.leads.urls")),
]
