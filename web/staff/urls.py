from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.staff_invite, name="invite"),
    path("<int:staff_id>/", views.staff_detail, name="detail"),
    path("<int:staff_id>/role/", views.staff_change_role, name="change_role"),
    path("<int:staff_id>/deactivate/", views.staff_deactivate, name="deactivate"),
    path("<int:staff_id>/reactivate/", views.staff_reactivate, name="reactivate"),
    path("<int:staff_id>/password-reset/", views.staff_password_reset, name="password_reset"),
]
