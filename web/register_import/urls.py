from django.urls import path

from . import views

app_name = "register_import"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:import_id>/", views.preview, name="preview"),
    path("<int:import_id>/confirm/", views.confirm, name="confirm"),
    path("<int:import_id>/discard/", views.discard, name="discard"),
]
