from django.urls import path

from . import views

app_name = "tekun"

urlpatterns = [
    path("care-homes/", views.care_homes_view, name="care_homes"),
    path("care-homes/<slug:code>/staffing/", views.staffing_view, name="staffing"),
    path("cases/<int:case_pk>/", views.case_view, name="case"),
]
