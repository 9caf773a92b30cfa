"""The subject access request (GDPR Art. 15) pages: the client's complete data as a printable
page in the client's language, and the same as a JSON file. Both are one call of
``audit.subject_access.subject_access_export``, which checks who may run it and logs it."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from audit.subject_access import SubjectAccessExport, subject_access_export
from kernel.errors import NotAllowed, NotFound


def _export(request: HttpRequest, client_id: int) -> SubjectAccessExport:
    try:
        return subject_access_export(
            user=request.user, client_id=client_id, language=request.GET.get("language")
        )
    except NotFound:
        raise Http404() from None
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from None


def _readable(sections: list[dict]) -> list[dict]:
    """Each row as (label, value) pairs, in the model's field order."""
    return [
        {
            **section,
            "records": [
                (
                    row["id"],
                    [(label, row["display"][name]) for name, label in section["fields"].items()],
                )
                for row in section["rows"]
            ],
        }
        for section in sections
    ]


@login_required
@require_GET
def subject_access_page(request: HttpRequest, client_id: int) -> HttpResponse:
    export = _export(request, client_id)
    # The page speaks the client's language, whatever the staff member's.
    with translation.override(export.language):
        response = render(
            request,
            "privacy/subject_access.html",
            {
                "export": export.data,
                "sections": _readable(export.data["sections"]),
                "client": export.client,
                "language": export.language,
            },
        )
    response["Content-Language"] = export.language
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def subject_access_json(request: HttpRequest, client_id: int) -> HttpResponse:
    export = _export(request, client_id)
    response = HttpResponse(
        json.dumps(export.data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{export.client.pk}.json"'
    )
    response["Content-Language"] = export.language
    response["Cache-Control"] = "no-store"
    return response
