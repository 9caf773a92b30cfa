from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:task_id>/claim/", views.claim, name="claim"),
    path("<int:task_id>/release/", views.release, name="release"),
]
