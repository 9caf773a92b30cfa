"""The audit pages. Every view reads through ``audit.selectors`` (scoped: out of scope is 404)
and logs the read with ``record_access``. Only the sign-off accepts POST, and it only adds a
row: no view changes or deletes a history row, a chain link or a read-log entry."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit import export, selectors, services
from audit.access import record_access
from audit.models import AccessAction
from audit.permissions import Right, rights_of
from audit.selectors import Cursor
from casework.selectors import organisation_of
from kernel.errors import InvalidInput, NotAllowed, NotFound

from .forms import AsOfForm, AuditFilterForm, SignOffForm, TimelineFilterForm


def _case(request, case_id: int, right: str):
    try:
        return selectors.case_for_audit(user=request.user, case_id=case_id, right=right)
    except NotFound:
        raise Http404() from None


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def case_timeline(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = _case(request, case_id, Right.TIMELINE)
    rights = rights_of(user)
    review = selectors.last_sign_off(case=case, user=user) if Right.SIGN_OFF in rights else None
    form = TimelineFilterForm(
        request.GET or None, organisation=case.organisation, with_since=review is not None
    )
    since = {}
    if (
        review is not None
        and form.is_bound
        and form.is_valid()
        and form.cleaned_data.get("since_review")
    ):
        since = {"since_link": review.up_to_link, "since_moment": review.reviewed_at}
    page = selectors.timeline(
        user=user,
        case=case,
        filters=form.filters(**since),
        before=Cursor.parse(request.GET.get("before")),
        after=Cursor.parse(request.GET.get("after")),
        review=review,
    )
    record_access(user=user, client=case.client_id, case=case, what="audit_timeline")
    can_sign_off = Right.SIGN_OFF in rights
    newest, since_count = selectors.review_marks(case, review) if can_sign_off else (0, None)
    context = {
        "case": case,
        "page": page,
        "form": form,
        "rights": rights,
        "review": review,
        "since_count": since_count,
        "query": _query_without(request, "before", "after"),
        "as_of_url": reverse("audit:case_as_of", args=[case.pk]),
        "sign_off_form": SignOffForm(initial={"seen_up_to": newest}) if can_sign_off else None,
    }
    return render(request, "audit/case_timeline.html", context)


@login_required
@require_POST
def sign_off(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, Right.TIMELINE)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The sign-off could not be recorded."))
        return redirect("audit:case_timeline", case_id=case.pk)
    try:
        services.review_sign_off(
            user=request.user,
            case_id=case.pk,
            seen_up_to=form.cleaned_data["seen_up_to"],
            note=form.cleaned_data["note"],
        )
    except NotFound:
        raise Http404() from None
    except NotAllowed:
        raise PermissionDenied() from None
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Review signed off: the timeline now marks what is new."))
    return redirect("audit:case_timeline", case_id=case.pk)


@login_required
@require_GET
def case_as_of(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = _case(request, case_id, Right.AS_OF)
    form = AsOfForm(request.GET if "on" in request.GET else None)
    moment = None
    at = request.GET.get("at")
    if at and at.isdigit():
        try:
            moment = selectors.from_micros(int(at))
        except OverflowError:
            moment = None
    elif form.is_bound and form.is_valid():
        day = form.cleaned_data["on"]
        moment = selectors.start_of_day(day, days=1) - datetime.timedelta(microseconds=1)
    sections = None
    if moment is not None:
        sections = selectors.case_as_of(user=user, case=case, moment=moment)
        record_access(user=user, client=case.client_id, case=case, what="audit_as_of")
    if not form.is_bound:
        form = AsOfForm(initial={"on": timezone.localdate(moment) if moment else None})
    return render(
        request,
        "audit/case_as_of.html",
        {
            "case": case,
            "form": form,
            "moment": moment,
            "sections": sections,
            "rights": rights_of(user),
        },
    )


def _export(request, case_id: int, *, kind: str) -> StreamingHttpResponse:
    user = request.user
    case = _case(request, case_id, Right.EXPORT)
    record_access(
        user=user,
        client=case.client_id,
        case=case,
        action=AccessAction.EXPORT,
        what=f"audit_export_{kind}",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"audit-{case.number.replace('/', '-')}-{stamp}.{kind}"
    if kind == "csv":
        body, content_type = export.csv_rows(user=user, case=case), "text/csv; charset=utf-8"
    else:
        body, content_type = export.json_chunks(user=user, case=case), "application/json"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def case_export_csv(request: HttpRequest, case_id: int) -> StreamingHttpResponse:
    return _export(request, case_id, kind="csv")


@login_required
@require_GET
def case_export_json(request: HttpRequest, case_id: int) -> StreamingHttpResponse:
    return _export(request, case_id, kind="json")


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    try:
        selectors.organisation_links(user=user)
    except NotFound:
        raise Http404() from None
    form = AuditFilterForm(
        request.GET or None, organisation=organisation_of(user), with_tasks=False
    )
    page = selectors.organisation_list(
        user=user,
        filters=form.filters(),
        before=Cursor.parse(request.GET.get("before")),
        after=Cursor.parse(request.GET.get("after")),
    )
    return render(
        request,
        "audit/organisation_list.html",
        {"page": page, "form": form, "query": _query_without(request, "before", "after")},
    )


@login_required
@require_GET
def client_access(request: HttpRequest, client_id: int) -> HttpResponse:
    try:
        client = selectors.client_for_audit(user=request.user, client_id=client_id)
    except NotFound:
        raise Http404() from None
    before = request.GET.get("before")
    page = selectors.client_access(
        client=client, before_id=int(before) if before and before.isdigit() else None
    )
    return render(
        request,
        "audit/client_access.html",
        {
            "client": client,
            "page": page,
            "cases": client.cases.order_by("-opened_on", "-id"),
            "self_url": reverse("audit:client_access", args=[client.pk]),
        },
    )
