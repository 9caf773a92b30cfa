"""Serializer fields that take JSON as typed: a string field wants a string, a number field an
integer, a flag true or false. DRF's fields would also take ``1`` for ``"1"`` or ``"yes"`` for
``true``; being strict keeps the API exactly as its schema documents it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    default_error_messages = {"type": _("Enter text.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("type")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"type": _("Enter a whole number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("type")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"type": _("Enter true or false.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("type")
        return data


class QueryBooleanField(serializers.BooleanField):
    """A query-string flag: ``true`` or ``false``, nothing else."""

    default_error_messages = {"type": _("Enter true or false.")}
    default_empty_html = serializers.empty  # absent means "not filtered", not false

    def to_internal_value(self, data):
        if data not in ("true", "false"):
            self.fail("type")
        return data == "true"


class StrictDateField(serializers.DateField):
    default_error_messages = {"type": _("Enter a date as YYYY-MM-DD.")}

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("type")
        return super().to_internal_value(value)
