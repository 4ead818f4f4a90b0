from django.urls import path

from . import views

urlpatterns = [
    path("", views.worklist_view, name="worklist"),
    path("tasks/<int:task_pk>/", views.task_view, name="task"),
    path("tasks/<int:task_pk>/claim/", views.claim_view, name="task-claim"),
    path("tasks/<int:task_pk>/unclaim/", views.unclaim_view, name="task-unclaim"),
]
