from django.urls import path

from . import views

app_name = "temporary"

urlpatterns = [
    path("overdue/", views.overdue_view, name="overdue"),
    path("funds/", views.funds_view, name="funds"),
]
