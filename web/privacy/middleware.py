"""Second factor for the roles that must have one (``settings.OTP_REQUIRED_ROLES``)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from casework.roles import roles_of

# Pages a user who still owes the second factor may reach.
OPEN_PATHS = ("/accounts/", "/privacy/otp/", "/static/", "/i18n/")


class OTPRequiredMiddleware:
    """A user of a role listed in ``OTP_REQUIRED_ROLES`` who has not entered a code in this
    session is sent to the code page; nothing else of the site answers them until then.
    Runs after ``django_otp.middleware.OTPMiddleware`` (which sets ``user.is_verified``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        required = set(getattr(settings, "OTP_REQUIRED_ROLES", ()))
        user = getattr(request, "user", None)
        if (
            required
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and roles_of(user) & required
            and not user.is_verified()
        ):
            return redirect(f"{reverse('privacy:otp_verify')}?next={request.path}")
        return self.get_response(request)
