from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

from kernel.pagination import KeysFirstPaginator

from .serializers import QueryInput

MAX_PAGE_SIZE = 100
PAGE_PARAMETERS = frozenset({"page", "page_size"})


class PageInput(QueryInput):
    page = serializers.IntegerField(min_value=1, max_value=10**9, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


class Pagination(PageNumberPagination):
    """Pages of 25 rows (``page_size`` up to 100). Counts come from the user's scoped query
    only, so they never reveal records outside it. A malformed ``page`` or ``page_size`` is a
    400; a page past the end is a 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = _("No such page.")

    def paginate_queryset(self, queryset, request, view=None):
        params = PageInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        self._page_size = params.validated_data.get("page_size", self.page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        return getattr(self, "_page_size", self.page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        limits = {
            self.page_query_param: {"minimum": 1, "maximum": 10**9},
            self.page_size_query_param: {"minimum": 1, "maximum": MAX_PAGE_SIZE},
        }
        for parameter in parameters:
            parameter["schema"].update(limits.get(parameter["name"], {}))
        return parameters


class KeysFirstPagination(Pagination):
    """The same pages, each read as its keys, then its rows (``kernel.pagination``): for long
    lists sorted by their own table's columns, such as a supervisor's 2,000 cases."""

    django_paginator_class = KeysFirstPaginator
