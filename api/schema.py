"""OpenAPI details drf-spectacular cannot infer: the error responses every operation can give,
and request bodies that refuse unknown fields (as the input serializers do)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "invalid (with fields) or parse_error: nothing was written.",
    "401": "not_authenticated or authentication_failed.",
    "403": "not_allowed (the role may not do this) or csrf_failed.",
    "404": "not_found: no such record, or one outside your scope.",
    "409": "stage_conflict: the case moved on meanwhile; nothing was written.",
    "415": "unsupported_media_type: send application/json.",
    "422": "guard_failed: the step is not ready; missing says what it still needs.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses to every operation. A view lists extra ones (409, 422) in
    ``extra_error_codes``."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "404"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "415", "422"]
        elif self.method == "DELETE":
            codes.append("422")
        elif self.method == "GET" and (
            getattr(self.view, "query_serializer", None) or self._is_list_view()
        ):
            codes.append("400")
        codes += [str(code) for code in getattr(self.view, "extra_error_codes", ())]
        for code in sorted(set(codes)):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses


def forbid_unknown_fields(result, generator, request, public):
    """Request bodies are strict: a field the serializer does not know is a 400."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result
