from django.urls import path

from anxin.registry import views

app_name = "registry"
urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/<str:project_code>/", views.project_detail, name="project"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise"),
    path("people/<str:person_key>/unmask/", views.unmask, name="unmask"),
]
