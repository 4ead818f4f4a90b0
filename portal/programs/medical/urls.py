from django.urls import path

from . import views

app_name = "medical"

urlpatterns = [
    path("claim/", views.claim_view, name="claim"),
    path("claim/<int:case_pk>/", views.slip_view, name="slip"),
]
