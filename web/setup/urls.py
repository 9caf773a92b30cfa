from django.urls import path

from . import views

app_name = "setup"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_new, name="programme_new"),
    path("new/from-template/", views.programme_from_template, name="programme_from_template"),
    path("<int:programme_id>/", views.programme_settings, name="programme_settings"),
    path("<int:programme_id>/partners/", views.partners, name="partners"),
    path(
        "<int:programme_id>/partners/<int:membership_id>/role/",
        views.partner_role,
        name="partner_role",
    ),
    path(
        "<int:programme_id>/partners/<int:membership_id>/remove/",
        views.partner_remove,
        name="partner_remove",
    ),
    path("<int:programme_id>/locations/", views.locations, name="locations"),
    path(
        "<int:programme_id>/locations/<int:location_id>/remove/",
        views.location_remove,
        name="location_remove",
    ),
    path("<int:programme_id>/targets/", views.targets, name="targets"),
]
