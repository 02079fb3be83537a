from django.urls import path

from anxin.warnings import views

app_name = "warnings"
urlpatterns = [
    path("", views.warning_list, name="list"),
    path("risk/", views.risk_list, name="risk"),
    path("inbox/", views.inbox, name="inbox"),
    path("summary/", views.summary, name="summary"),
    path("<str:warning_no>/", views.warning_detail, name="detail"),
    path("<str:warning_no>/<str:step>/", views.warning_action, name="action"),
]
