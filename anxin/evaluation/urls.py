from django.urls import path

from anxin.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("<str:uscc>/", views.evaluation_detail, name="detail"),
]
