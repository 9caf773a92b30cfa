"""The staff pages of programme admins and supervisors: the list, inviting, and one member's
account (role, deactivation, password reset), all through ``casework.staff``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from casework import staff
from kernel.errors import InvalidInput, NotAllowed, NotFound

from ..forms import attach_errors
from .forms import InviteForm, NoteForm, OptionalNoteForm, RoleForm


def _require_manager(request: HttpRequest) -> None:
    # A user who manages no one has no staff pages at all: answer as for a page that is not
    # there, like every out-of-scope record.
    if not staff.grantable_roles(user=request.user):
        raise Http404


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(
        request,
        "staff/list.html",
        {
            "rows": staff.staff_list(user=request.user),
            "events": staff.staff_events(user=request.user, limit=20),
        },
    )


@login_required
def staff_invite(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = InviteForm(
        request.POST or None,
        organisations=staff.manageable_organisations(user=request.user).order_by("name"),
        roles=staff.grantable_roles(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = staff.staff_invite(
                user=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation_id=data["organisation"].pk,
                role=data["role"],
                language=data["language"],
                link_base=_link_base(request),
            )
        except InvalidInput as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is invited: the e-mail with the link to set a password is on its way.")
                % {"name": member.get_full_name()},
            )
            return redirect("staff:detail", staff_id=member.pk)
    return render(request, "staff/invite.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, member, **forms) -> dict:
    roles = staff.grantable_roles(user=request.user)
    return {
        "member": member,
        "role": staff.role_of(member),
        "role_form": forms.get("role_form") or RoleForm(roles=roles),
        "deactivate_form": forms.get("deactivate_form") or NoteForm(),
        "reactivate_form": forms.get("reactivate_form") or OptionalNoteForm(),
        "events": staff.staff_events(user=request.user, staff_id=member.pk),
    }


def _member(request: HttpRequest, staff_id: int):
    _require_manager(request)
    try:
        return staff.staff_get(user=request.user, staff_id=staff_id)
    except NotFound:
        raise Http404 from None


def _one_line(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return " ".join(
            str(message) for errors in error.field_errors.values() for message in errors
        )
    return str(error)


@login_required
def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = _member(request, staff_id)
    return render(request, "staff/detail.html", _detail_context(request, member))


def _refused(request: HttpRequest, member, error: Exception, **forms) -> HttpResponse:
    if isinstance(error, InvalidInput):
        for form in forms.values():
            attach_errors(form, error)
        status = 400
    else:
        messages.error(request, str(error))
        status = 403
    return render(
        request, "staff/detail.html", _detail_context(request, member, **forms), status=status
    )


@login_required
@require_POST
def staff_change_role(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = _member(request, staff_id)
    form = RoleForm(request.POST, roles=staff.grantable_roles(user=request.user))
    if not form.is_valid():
        return _refused(request, member, InvalidInput({}), role_form=form)
    try:
        staff.staff_change_role(
            user=request.user,
            staff_id=member.pk,
            role=form.cleaned_data["role"],
            note=form.cleaned_data["note"],
        )
    except (InvalidInput, NotAllowed) as error:
        return _refused(request, member, error, role_form=form)
    messages.success(request, _("The role is changed."))
    return redirect("staff:detail", staff_id=member.pk)


@login_required
@require_POST
def staff_deactivate(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = _member(request, staff_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, member, InvalidInput({}), deactivate_form=form)
    try:
        _member_after, moved = staff.staff_deactivate(
            user=request.user, staff_id=member.pk, note=form.cleaned_data["note"]
        )
    except (InvalidInput, NotAllowed) as error:
        return _refused(request, member, error, deactivate_form=form)
    messages.success(
        request,
        ngettext(
            "The account is deactivated; %(count)d open task went to the supervisors' queue.",
            "The account is deactivated; %(count)d open tasks went to the supervisors' queue.",
            moved,
        )
        % {"count": moved},
    )
    return redirect("staff:detail", staff_id=member.pk)


@login_required
@require_POST
def staff_reactivate(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = _member(request, staff_id)
    form = OptionalNoteForm(request.POST)
    form.is_valid()
    try:
        staff.staff_reactivate(
            user=request.user, staff_id=member.pk, note=form.cleaned_data.get("note", "")
        )
    except (InvalidInput, NotAllowed) as error:
        return _refused(request, member, error, reactivate_form=form)
    messages.success(request, _("The account is active again."))
    return redirect("staff:detail", staff_id=member.pk)


@login_required
@require_POST
def staff_password_reset(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = _member(request, staff_id)
    try:
        staff.staff_send_password_reset(
            user=request.user, staff_id=member.pk, link_base=_link_base(request)
        )
    except (InvalidInput, NotAllowed) as error:
        messages.error(request, _one_line(error))
        return redirect("staff:detail", staff_id=member.pk)
    messages.success(request, _("The e-mail with a link to choose a new password is on its way."))
    return redirect("staff:detail", staff_id=member.pk)
