from django.urls import path

from anxin.lake import views

app_name = "lake"
urlpatterns = [
    path("batches/", views.batch_list, name="batches"),
    path("quarantine/", views.quarantine_list, name="quarantine"),
]
