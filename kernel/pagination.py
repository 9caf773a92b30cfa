"""Pages of long lists that cost the same on page 1 and page 80, and for 2,000 rows or 20."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


class KeysFirstPaginator(Paginator):
    """Reads a page in two statements: the keys of the page's rows, then those rows.

    The first statement has the list's filters, its order and its ``LIMIT``, over the table
    itself and the joins its filters need; the second reads the page's rows by key with
    everything ``select_related`` and ``prefetch_related`` add. In one statement PostgreSQL
    joins before it sorts: a page of 25 of a supervisor's 2,000 cases, sorted by a case column,
    joined all 2,000 clients, programmes and mentors first (5.7 ms of PostgreSQL time at
    100,000 cases; the two statements take 0.6 ms, BENCHMARKS.md).

    A row that leaves the list between the two statements is left off the page."""

    def _get_page(self, object_list, number, paginator) -> Page:
        keys = list(object_list.values_list("pk", flat=True))
        rows = self.rows_by_key(keys)
        return super()._get_page([rows[key] for key in keys if key in rows], number, paginator)

    def rows_by_key(self, keys: list) -> dict:
        """The rows of ``keys`` that are still in the list (its filters apply again)."""
        return {row.pk: row for row in self.object_list.filter(pk__in=keys)} if keys else {}
