"""Viewflow's inbox, queue, archive and process views, scoped to the cases the user may see.

Viewflow lists every process and task of a flow to anyone with the flow's view permission. Lépés
scopes by case (DESIGN.md rule 5), so each list is narrowed to the user's visible cases, and the
flow answers 404 for a process outside them (``CaseJourneyFlow.has_view_permission``).
"""

from django.urls import reverse
from django.views.generic import RedirectView
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as flow_views

from casework.selectors import cases_visible_to


class TasksOfVisibleCasesMixin:
    def get_queryset(self):
        visible = cases_visible_to(self.request.user).values("pk")
        # Each row's summary names the case and its client: fetch them per page, not per row
        # (65 -> 17 queries on a full inbox page, BENCHMARKS.md).
        return (
            super()
            .get_queryset()
            .filter(process__artifact_object_id__in=visible)
            .prefetch_related("process__artifact__client")
        )


class ProcessesOfVisibleCasesMixin:
    def get_queryset(self):
        visible = cases_visible_to(self.request.user).values("pk")
        processes = super().get_queryset().filter(artifact_object_id__in=visible)
        # Viewflow's count annotation drops the model ordering: keep pages stable.
        return processes if processes.ordered else processes.order_by("-created", "-id")


class InboxView(TasksOfVisibleCasesMixin, flow_views.FlowInboxListView):
    pass


class QueueView(TasksOfVisibleCasesMixin, flow_views.FlowQueueListView):
    pass


class ArchiveView(TasksOfVisibleCasesMixin, flow_views.FlowArchiveListView):
    pass


class TaskListView(TasksOfVisibleCasesMixin, flow_views.DashboardTaskListView):
    pass


class ProcessListView(ProcessesOfVisibleCasesMixin, flow_views.DashboardProcessListView):
    pass


class DashboardRedirectView(RedirectView):
    """Viewflow's kanban lists every open task of the flow unscoped; the inbox replaces it."""

    viewset = None
    flow_class = None

    def get_redirect_url(self, *args, **kwargs):
        return reverse("journey:inbox")


class CaseJourneyViewset(FlowAppViewset):
    dashboard_view_class = DashboardRedirectView
    inbox_view_class = InboxView
    queue_view_class = QueueView
    archive_view_class = ArchiveView
    task_list_view_class = TaskListView
    process_list_view_class = ProcessListView

    def get_context_data(self, request):
        """The menu's inbox and queue counts, of the user's visible cases like the lists: not
        of the whole programme (a count that grew with every organisation's queue, read on
        every page of the flow)."""
        visible = cases_visible_to(request.user).values("pk")
        return {
            name: tasks.filter(process__artifact_object_id__in=visible)
            for name, tasks in super().get_context_data(request).items()
        }
