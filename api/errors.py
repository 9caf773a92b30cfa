"""Every refusal answers ``{"code", "message"}`` (plus ``fields``, ``missing`` or ``details``).

``code`` is stable and machine-readable; ``message`` is translated into the request's language.
A casework service that raises has written nothing (each runs in one transaction), so an error
response always means that nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from kernel.errors import (
    GuardFailed,
    InvalidInput,
    NotAllowed,
    NotFound,
    ServiceError,
    StageConflict,
)

CASEWORK_STATUS = {
    NotFound: 404,
    NotAllowed: 403,
    StageConflict: 409,
    GuardFailed: 422,
    InvalidInput: 400,
}

# DRF's own codes, renamed where casework already has a word for the same thing.
DRF_CODES = {
    "permission_denied": NotAllowed.code,
    "not_found": NotFound.code,
    "invalid": InvalidInput.code,
}


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    code = serializers.CharField(
        help_text="Stable, machine-readable: not_found, not_allowed, stage_conflict, "
        "guard_failed, invalid, parse_error, not_authenticated, authentication_failed, "
        "csrf_failed, method_not_allowed, unsupported_media_type, not_acceptable."
    )
    message = serializers.CharField(help_text="Translated into the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="invalid: messages per field; '__all__' for the request as a whole.",
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="guard_failed: everything the step still needs.",
    )
    details = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="More about the refusal."
    )


def error_response(status: int, code: str, message: Any, **extra: Any) -> Response:
    body = {"code": code, "message": str(message)}
    body.update({key: value for key, value in extra.items() if value is not None})
    return Response(body, status=status)


def _status_of(error: ServiceError) -> int:
    for kind, status in CASEWORK_STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def casework_response(error: ServiceError) -> Response:
    status = _status_of(error)
    extra: dict[str, Any] = {}
    if isinstance(error, InvalidInput):
        extra["fields"] = {
            field: [str(message) for message in messages]
            for field, messages in error.field_errors.items()
        }
    elif isinstance(error, GuardFailed):
        extra["missing"] = [str(detail) for detail in error.details] or [str(error.message)]
    elif error.details:
        extra["details"] = [str(detail) for detail in error.details]
    return error_response(status, error.code, error.message, **extra)


def flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"attendance.0.case": [messages]}``."""
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "__all__" if key in ("non_field_errors", "__all__") else str(key)
            fields.update(flatten_fields(value, f"{prefix}.{name}" if prefix else name))
        return fields
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "__all__": [str(item) for item in detail]} if detail else {}
        fields = {}
        for index, item in enumerate(detail):
            fields.update(flatten_fields(item, f"{prefix}.{index}" if prefix else str(index)))
        return fields
    return {prefix or "__all__": [str(detail)]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]. Anything not handled here is a bug and a 500."""
    set_rollback()
    if isinstance(exc, ServiceError):
        return casework_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        fields = flatten_fields(
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        )
        return error_response(400, InvalidInput.code, InvalidInput.default_message, fields=fields)
    if not isinstance(exc, exceptions.APIException):
        return None
    if isinstance(exc, exceptions.ValidationError):
        response = error_response(
            400,
            InvalidInput.code,
            InvalidInput.default_message,
            fields=flatten_fields(exc.detail),
        )
    else:
        code = exc.default_code
        message = exc.detail if isinstance(exc.detail, str) else _("The request was refused.")
        if isinstance(exc, exceptions.PermissionDenied) and str(message).startswith("CSRF"):
            code = "csrf_failed"
        response = error_response(exc.status_code, DRF_CODES.get(code, code), message)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response
