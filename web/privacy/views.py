"""Pages of data protection: the login lockout, the second factor, the record of processing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

import privacy
from casework import selectors as case_selectors
from casework.selectors import partner_offices_for
from kernel.errors import InvalidInput, ServiceError
from privacy import registry
from privacy import services as privacy_services

from .forms import ConsentRecordForm, ConsentWithdrawForm, SpecialCategoryForm

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


def _case_or_404(request: HttpRequest, case_id: int):
    # The user's own scope: a break-glass grant opens a case for reading, not for recording.
    case = (
        case_selectors.cases_visible_to(request.user, break_glass=False)
        .select_related("programme", "client")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404()
    return case


def _back(
    request: HttpRequest, case, error: ServiceError | None = None, *, section: str = "consents"
) -> HttpResponse:
    if error is not None:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{case.get_absolute_url()}#{section}")


@login_required
@require_POST
def consent_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = ConsentRecordForm(request.POST, partners=partner_offices_for(programme=case.programme))
    if not form.is_valid():
        return _back(request, case, InvalidInput({k: list(v) for k, v in form.errors.items()}))
    try:
        privacy_services.consent_record(user=request.user, case=case, **form.cleaned_data)
    except ServiceError as error:
        return _back(request, case, error)
    return _back(request, case)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        return _back(request, case, InvalidInput({k: list(v) for k, v in form.errors.items()}))
    try:
        privacy_services.consent_withdraw(
            user=request.user, case=case, consent_id=consent_id, **form.cleaned_data
        )
    except ServiceError as error:
        return _back(request, case, error)
    return _back(request, case)


@sensitive_variables()
@sensitive_post_parameters("answer", "minority", "note", "reason")
@login_required
@require_POST
def special_category_record(request: HttpRequest, case_id: int, category: str) -> HttpResponse:
    """Record or correct one special category of the case's client. A user not entitled to the
    category gets "not found", as for a case out of scope: the page admits nothing."""
    case = _case_or_404(request, case_id)
    if not privacy.can_see(request.user, category, case):
        raise Http404()
    section = f"special-{category}"
    form = SpecialCategoryForm(request.POST)
    if not form.is_valid():
        error = InvalidInput({k: list(v) for k, v in form.errors.items()})
        return _back(request, case, error, section=section)
    try:
        privacy_services.special_category_record(
            user=request.user, case=case, category=category, **form.cleaned_data
        )
    except ServiceError as error:
        return _back(request, case, error, section=section)
    return _back(request, case, section=section)
