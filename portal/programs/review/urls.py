from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.schedule_list, name="schedules"),
    path("cases/<int:case_pk>/death/", views.record_death_view, name="record_death"),
]
