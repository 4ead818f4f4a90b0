from django.urls import path

from . import views

app_name = "disaster"

urlpatterns = [
    path("", views.register_view, name="register"),
    path("cases/<int:case_pk>/", views.aid_view, name="aid"),
]
