from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("otp/", views.otp_verify, name="otp_verify"),
]
