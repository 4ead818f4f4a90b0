from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("verify/", views.verify_upload, name="verify_upload"),
    path("v/<str:token>/", views.verify_token, name="verify_token"),
]
