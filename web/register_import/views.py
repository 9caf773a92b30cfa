"""Importing a client register (``casework.register_import``): upload, preview, confirm.

For the programme admins and supervisors of an organisation (``casework.import_clients``);
anyone else is answered as for a page that is not there. The preview pages through the rows
of the staged import: one query for the import whatever the page size (the rows, their
problems and duplicates are held together)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from casework import register_import
from kernel.errors import InvalidInput, NotFound, ServiceError

from ..forms import attach_errors
from .forms import ConfirmForm, UploadForm

PER_PAGE = 50


def _require_importer(request: HttpRequest) -> None:
    if not request.user.has_perm(register_import.IMPORT_PERMISSION):
        raise Http404


def _staged(request: HttpRequest, import_id: int):
    try:
        return register_import.client_import_get(user=request.user, import_id=import_id)
    except (NotFound, ServiceError):
        raise Http404 from None


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            staged = register_import.client_import_stage(
                user=request.user,
                file_name=uploaded.name,
                # Read at most one byte over the limit: the service refuses larger files.
                content=uploaded.read(register_import.MAX_BYTES + 1),
            )
        except InvalidInput as error:
            attach_errors(form, error)
        else:
            return redirect("register_import:preview", import_id=staged.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "register_import/upload.html", {"form": form}, status=status)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _preview_context(request: HttpRequest, staged, confirm_form: ConfirmForm) -> dict:
    flagged = request.GET.get("flagged") == "1"
    page = _page_number(request)
    total, rows = register_import.preview_rows(
        staged, start=(page - 1) * PER_PAGE, stop=page * PER_PAGE, only_flagged=flagged
    )
    pages = max(1, -(-total // PER_PAGE))
    bad_rows = register_import.rows_with_problems(staged)
    duplicate_rows = sorted({d["row"] for d in staged.duplicates})
    return {
        "staged": staged,
        "rows": rows,
        "row_count": len(staged.rows),
        "bad_rows": bad_rows,
        "duplicate_rows": duplicate_rows,
        "problems": staged.problems[:200],
        "more_problems": max(0, len(staged.problems) - 200),
        "page": page,
        "pages": pages,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
        "flagged": flagged,
        "confirm_form": confirm_form,
        "upload_form": UploadForm(),
    }


@login_required
def preview(request: HttpRequest, import_id: int) -> HttpResponse:
    _require_importer(request)
    staged = _staged(request, import_id)
    return render(
        request, "register_import/preview.html", _preview_context(request, staged, ConfirmForm())
    )


@login_required
@require_POST
def confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    _require_importer(request)
    staged = _staged(request, import_id)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        count = register_import.client_import_confirm(
            user=request.user,
            import_id=staged.pk,
            accept_duplicates=form.cleaned_data.get("accept_duplicates", False),
        )
    except InvalidInput as error:
        for messages_of_field in error.field_errors.values():
            for message in messages_of_field:
                messages.error(request, message)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d client was imported from %(file)s.",
                "%(count)d clients were imported from %(file)s.",
                count,
            )
            % {"count": count, "file": staged.file_name},
        )
        return redirect("register_import:upload")
    context = _preview_context(request, staged, form)
    return render(request, "register_import/preview.html", context, status=400)


@login_required
@require_POST
def discard(request: HttpRequest, import_id: int) -> HttpResponse:
    _require_importer(request)
    try:
        register_import.client_import_discard(user=request.user, import_id=import_id)
    except ServiceError:
        raise Http404 from None
    messages.success(request, _("The uploaded file was discarded; nothing was imported."))
    return redirect("register_import:upload")
