from django.urls import path

from anxin.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("findings/", views.finding_list, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
]
