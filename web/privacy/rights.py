"""Pages of break-glass access and of the client's rights to erasure and restriction.

Break-glass: a social worker or supervisor types the number of a case outside their scope and
a reason; the case opens for reading for 24 hours and its organisation's supervisors review the
access on their list. Erasure and restriction: recorded on the case's page of requests, decided
there by a supervisor other than the one who recorded it; the organisation's list shows the
requests waiting for a decision first.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.access import record_access
from casework import selectors as case_selectors
from casework import services as case_services
from kernel.errors import InvalidInput, NotFound, ServiceError
from privacy import selectors as privacy_selectors
from privacy import services as privacy_services
from privacy.models import BreakGlassGrant, RightsRequest, RightsRequestStatus

from .forms import BreakGlassForm, BreakGlassReviewForm, DecisionForm, LiftForm, RightsRequestForm

PAGE_SIZE = 50


def _own_cases(user):
    """The user's own scope: break-glass opens a case for reading, not for deciding on it."""
    return case_selectors.cases_visible_to(user, break_glass=False)


def _own_case_or_404(request: HttpRequest, case_id: int):
    case = (
        _own_cases(request.user)
        .select_related("client", "programme", "organisation")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404()
    return case


def _error(request: HttpRequest, error: ServiceError) -> None:
    if isinstance(error, InvalidInput):
        for errors in error.field_errors.values():
            for message in errors:
                messages.error(request, str(message))
    else:
        messages.error(request, str(error))


# --------------------------------------------------------------------------------------------
# Break-glass
# --------------------------------------------------------------------------------------------


@login_required
@permission_required("privacy.break_glass", raise_exception=True)
def break_glass(request: HttpRequest) -> HttpResponse:
    """The reason form for opening a case outside the user's scope by its number."""
    status = 200
    if request.method == "POST":
        form = BreakGlassForm(request.POST)
        if form.is_valid():
            try:
                grant = case_services.case_break_glass(
                    user=request.user,
                    number=form.cleaned_data["number"],
                    reason=form.cleaned_data["reason"],
                )
            except NotFound:
                form.add_error(
                    "number", _("No case with this number that you may open by break-glass.")
                )
                status = 404
            except InvalidInput as error:
                for field, errors in error.field_errors.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
                status = 400
            else:
                record_access(
                    user=request.user,
                    client=grant.case.client_id,
                    case=grant.case,
                    what="break_glass",
                )
                messages.warning(
                    request,
                    _("Break-glass access until %(until)s: the case's supervisors have been told.")
                    % {
                        "until": formats.date_format(
                            timezone.localtime(grant.expires_at), "SHORT_DATETIME_FORMAT"
                        )
                    },
                )
                return redirect(grant.case.get_absolute_url())
        else:
            status = 400
    else:
        form = BreakGlassForm(initial={"number": request.GET.get("number", "")})
    return render(request, "privacy/break_glass.html", {"form": form}, status=status)


@login_required
@permission_required("privacy.review_break_glass", raise_exception=True)
def break_glass_review(request: HttpRequest) -> HttpResponse:
    """The supervisors' list of break-glass accesses to their organisation's cases, those not
    reviewed yet first. A fixed number of queries whatever the number of grants."""
    grants = privacy_selectors.break_glass_grants(case_ids=_own_cases(request.user).values("pk"))[
        :PAGE_SIZE
    ]
    return render(
        request,
        "privacy/break_glass_review.html",
        {"grants": list(grants), "form": BreakGlassReviewForm()},
    )


@login_required
@permission_required("privacy.review_break_glass", raise_exception=True)
@require_POST
def break_glass_mark_reviewed(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = BreakGlassGrant.objects.filter(pk=grant_id, case__in=_own_cases(request.user)).first()
    if grant is None:
        raise Http404()
    form = BreakGlassReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note on what you checked."))
    else:
        try:
            privacy_services.break_glass_review(
                user=request.user, grant=grant, note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            _error(request, error)
        else:
            messages.success(request, _("Marked as reviewed."))
    return redirect("privacy:break_glass_review")


# --------------------------------------------------------------------------------------------
# Erasure and restriction requests
# --------------------------------------------------------------------------------------------


def _may_see_requests(user) -> bool:
    return user.has_perm("privacy.record_rights_request") or user.has_perm(
        "privacy.decide_rights_request"
    )


@login_required
def rights_list(request: HttpRequest) -> HttpResponse:
    """The requests on the organisation's cases, those waiting for a decision first."""
    if not _may_see_requests(request.user):
        raise Http404()
    requests = privacy_selectors.rights_requests(case_ids=_own_cases(request.user).values("pk"))[
        :PAGE_SIZE
    ]
    return render(request, "privacy/rights_list.html", {"requests": list(requests)})


@login_required
def case_rights(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case's erasure and restriction requests, with the forms the user's role may use."""
    if not _may_see_requests(request.user):
        raise Http404()
    case = _own_case_or_404(request, case_id)
    requests = list(privacy_selectors.rights_requests(case_ids=[case.pk]))
    return render(
        request,
        "privacy/case_rights.html",
        {
            "case": case,
            "requests": requests,
            "refusal": privacy_selectors.processing_refusal(case),
            "hold_until": privacy_selectors.hold_until(
                case.client.cases.select_related("programme")
            ),
            "record_form": RightsRequestForm(),
            "decision_form": DecisionForm(),
            "lift_form": LiftForm(),
        },
    )


@login_required
@permission_required("privacy.record_rights_request", raise_exception=True)
@require_POST
def rights_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _own_case_or_404(request, case_id)
    form = RightsRequestForm(request.POST)
    if not form.is_valid():
        _error(request, InvalidInput({k: list(v) for k, v in form.errors.items()}))
    else:
        try:
            privacy_services.rights_request_record(
                user=request.user,
                case=case,
                supervisors=case_selectors.supervisors_of(organisation_id=case.organisation_id),
                **form.cleaned_data,
            )
        except ServiceError as error:
            _error(request, error)
        else:
            messages.success(request, _("The request is recorded: a supervisor decides it."))
    return redirect("privacy:case_rights", case_id=case.pk)


def _request_or_404(request: HttpRequest, request_id: int) -> RightsRequest:
    found = (
        RightsRequest.objects.filter(pk=request_id, case__in=_own_cases(request.user))
        .select_related("case")
        .first()
    )
    if found is None:
        raise Http404()
    return found


@login_required
@permission_required("privacy.decide_rights_request", raise_exception=True)
@require_POST
def rights_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = _request_or_404(request, request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _error(request, InvalidInput({k: list(v) for k, v in form.errors.items()}))
        return redirect("privacy:case_rights", case_id=rights_request.case_id)
    try:
        decided = privacy_services.rights_request_decide(
            user=request.user,
            request=rights_request,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ServiceError as error:
        _error(request, error)
    else:
        if decided.status == RightsRequestStatus.WAITING:
            messages.warning(
                request,
                _(
                    "Erasure approved, but the funder's retention hold applies until %(date)s: "
                    "the data will be erased after that date."
                )
                % {"date": decided.held_until.isoformat()},
            )
        else:
            messages.success(request, str(RightsRequestStatus(decided.status).label))
    return redirect("privacy:case_rights", case_id=rights_request.case_id)


@login_required
@permission_required("privacy.decide_rights_request", raise_exception=True)
@require_POST
def rights_lift(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = _request_or_404(request, request_id)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the restriction is lifted."))
    else:
        try:
            privacy_services.rights_request_lift(
                user=request.user, request=rights_request, note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            _error(request, error)
        else:
            messages.success(request, _("The restriction is lifted."))
    return redirect("privacy:case_rights", case_id=rights_request.case_id)
