from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.start_view, name="start"),
    path("<slug:program_code>/new/", views.application_view, name="new"),
]
