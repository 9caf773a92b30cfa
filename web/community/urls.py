from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_new, name="event_new"),
    path("<int:event_id>/", views.event_detail, name="event_detail"),
    # Community work, beside the events (same app, same scope rules).
    path("field/", views.visit_list, name="visit_list"),
    path("field/new/", views.visit_new, name="visit_new"),
    path("field/summary/", views.field_summary, name="field_summary"),
    path("field/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("partnership/", views.meeting_list, name="meeting_list"),
    path("partnership/new/", views.meeting_new, name="meeting_new"),
    path("partnership/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("action-plan/", views.measure_list, name="measure_list"),
    path("action-plan/<int:measure_id>/", views.measure_detail, name="measure_detail"),
]
