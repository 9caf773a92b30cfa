"""Pages of data protection: the login lockout, the second factor, the record of processing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy import registry

LOCKED_OUT = _(
    "Too many failed attempts to log in. Logging in is blocked for a while for this account "
    "and this address; try again later or ask your programme admin."
)


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes answers a locked-out attempt with the login page and one message, the same
    whether the username exists or not (no user enumeration)."""
    form = AuthenticationForm(request)
    form.errors["__all__"] = form.error_class([LOCKED_OUT])
    return render(request, "registration/login.html", {"form": form}, status=429)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the six-digit code of the user's authenticator app (TOTP)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    error = ""
    if request.method == "POST" and device is not None:
        if device.verify_token((request.POST.get("token") or "").strip()):
            otp_login(request, device)
            return redirect(_next(request))
        error = _("The code is not valid. Enter the current code of your authenticator app.")
    return render(
        request,
        "privacy/otp_verify.html",
        {"device": device, "error": error, "next": _next(request)},
        status=200 if not error else 400,
    )


@login_required
@permission_required("privacy.view_processing_record", raise_exception=True)
def processing_record(request: HttpRequest) -> HttpResponse:
    """The record of processing (GDPR Art. 30), generated from ``privacy.registry``."""
    return render(
        request,
        "privacy/processing_record.html",
        {"columns": registry.CSV_COLUMNS, "rows": registry.rows()},
    )


@login_required
@permission_required("privacy.view_processing_record", raise_exception=True)
def processing_record_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(registry.as_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="record-of-processing.csv"'
    return response
