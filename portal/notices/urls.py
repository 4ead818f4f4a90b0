from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("<str:village_code>/", views.board_view, name="board"),
    path("objection/<int:notice_pk>/", views.objection_view, name="objection"),
]
