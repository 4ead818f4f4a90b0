from django.urls import path

from . import views

app_name = "casefile"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/diagram.xml", views.diagram_xml, name="diagram"),
    path("<int:pk>/records/<int:record_pk>/", views.record_download, name="record"),
]
