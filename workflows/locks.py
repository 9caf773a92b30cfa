"""One lock per case: the case row.

Every casework service loads its case with ``SELECT … FOR UPDATE`` (``casework.services``) before
it drives the flow, so the case row already serialises every change to a case's journey. Viewflow
wants a lock of its own around its views (claiming a pooled task, for one) and cancellation;
``CaseRowLock`` makes that lock the very same row, instead of Viewflow's default lock on the
process row. Two consequences:

- a Viewflow view and a service acting on one case queue on one row, so neither can overwrite the
  other's task change (a claim landing after the approval that finished the task, say);
- ``workflows.engine`` completes tasks for a service that already holds the row without taking
  any lock again, which spares every transition a savepoint pair and a locking round trip.

On SQLite, which has no row locks, ``select_for_update`` is a no-op and the database serialises
whole write transactions instead.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from django.db.models import Subquery

from casework.models import Case


class CaseRowLock:
    @contextmanager
    def __call__(self, flow_class, process_pk):
        process = flow_class.process_class._default_manager.filter(pk=process_pk)
        with transaction.atomic():
            Case.objects.select_for_update().filter(
                pk=Subquery(process.values("artifact_object_id")[:1])
            ).exists()
            yield


case_row_lock = CaseRowLock()
