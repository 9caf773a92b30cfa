"""``GET /api/v1/clients/{client_id}/subject-access/``: the client's complete data (GDPR
Art. 15), the same document as the JSON download of the web page, logged as a subject access
request. Who may ask is decided by ``audit.subject_access``: out of scope 404, another role 403."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from audit.subject_access import subject_access_export

from .views import ApiView


class ClientSubjectAccessView(ApiView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="Subject access request: every record that refers to the client",
    )
    def get(self, request, client_id: int):
        export = subject_access_export(user=request.user, client_id=client_id)
        response = Response(export.data)
        response["Content-Language"] = export.language
        response["Cache-Control"] = "no-store"
        return response
