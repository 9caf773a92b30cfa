from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_new, name="event_new"),
    path("<int:event_id>/", views.event_detail, name="event_detail"),
]
