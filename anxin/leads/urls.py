from django.urls import path

from anxin.leads import views

app_name = "leads"
urlpatterns = [
    # Public (no login): the worker's complaint and its lookup.
    path("complaint/", views.complaint, name="complaint"),
    path("complaint/done/<str:code>", views.complaint_done, name="done"),
    path("complaint/lookup/", views.complaint_lookup, name="lookup"),
    path("c/<str:token>", views.complaint_qr, name="qr"),
    # Officials.
    path("leads/", views.case_list, name="cases"),
    path("leads/stats/", views.stats, name="stats"),
    path("leads/cases/<str:case_no>/", views.case_detail, name="case"),
    path("leads/cases/<str:case_no>/reveal/", views.reveal, name="reveal"),
    path("leads/cases/<str:case_no>/<str:action>/", views.case_action, name="action"),
    path("leads/poster/<str:project_code>.pdf", views.poster, name="poster"),
]
