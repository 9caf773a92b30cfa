"""The indicators of community work (``community``): consultants' contacts and the people they
reached, micro-projects by status, partnership meetings and action-plan measures done.

Kept apart from ``indicators.py`` and merged into its registry with one line there. The classes
are imported when the list is built (not at module level), so this module can be imported in
any order with the registry.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from community.models import (
    FieldVisit,
    Measure,
    MeasureStatus,
    MicroProject,
    MicroProjectStatus,
    PartnershipMeeting,
)


def _count(filter=None) -> Count:
    return Count("id", filter=filter)


def _people(filter=None) -> Sum:
    return Sum("people_reached", filter=filter)


def _visits(scope) -> QuerySet:
    return FieldVisit.objects.filter(programme=scope.programme, visited_on__lte=scope.as_of)


def _projects(scope) -> QuerySet:
    """Micro-projects by the day their status today was reached (an indicator takes some
    statuses: ``Measure.where``). (The status as of a past date would need the history; the
    funder asks for today's.)"""
    return MicroProject.objects.filter(
        programme=scope.programme, status_changed_on__lte=scope.as_of
    )


def _in_status(*statuses: str) -> Q:
    return Q(status__in=statuses)


def _meetings(scope) -> QuerySet:
    return PartnershipMeeting.objects.filter(programme=scope.programme, held_on__lte=scope.as_of)


def _measures_done(scope) -> QuerySet:
    return Measure.objects.filter(
        programme=scope.programme, status=MeasureStatus.DONE, done_on__lte=scope.as_of
    )


def indicators() -> list:
    from .indicators import PEOPLE, Indicator, Measure

    projects = _("micro-projects")
    project_measure = {
        "rows": _projects,
        "organisation": "organisation",
        "location": "settlement",
        "date": "status_changed_on",
        "aggregate": _count,
    }
    return [
        Indicator(
            code="field_contacts",
            label=_("community consultants' visits and contacts"),
            unit=_("contacts"),
            records=_("field visits and contacts"),
            measure=Measure(
                rows=_visits,
                organisation="organisation",
                location="settlement",
                date="visited_on",
                aggregate=_count,
            ),
            lists="field_visit",
        ),
        Indicator(
            code="field_people_reached",
            label=_("people reached by community consultants"),
            unit=PEOPLE,
            records=_("field visits and contacts"),
            measure=Measure(
                rows=_visits,
                organisation="organisation",
                location="settlement",
                date="visited_on",
                aggregate=_people,
            ),
            lists="field_visit",
        ),
        Indicator(
            code="micro_projects_approved",
            label=_("micro-projects approved (approved, running, monitored or closed)"),
            unit=projects,
            records=_("micro-projects past the approval"),
            measure=Measure(
                where=_in_status(
                    MicroProjectStatus.APPROVED,
                    MicroProjectStatus.RUNNING,
                    MicroProjectStatus.MONITORED,
                    MicroProjectStatus.CLOSED,
                ),
                **project_measure,
            ),
            lists="micro_project",
        ),
        Indicator(
            code="micro_projects_running",
            label=_("micro-projects running"),
            unit=projects,
            records=_("running micro-projects"),
            measure=Measure(where=_in_status(MicroProjectStatus.RUNNING), **project_measure),
            lists="micro_project",
        ),
        Indicator(
            code="micro_projects_closed",
            label=_("micro-projects completed and closed"),
            unit=projects,
            records=_("closed micro-projects"),
            measure=Measure(where=_in_status(MicroProjectStatus.CLOSED), **project_measure),
            lists="micro_project",
        ),
        Indicator(
            code="partnership_meetings",
            label=_("partnership meetings held"),
            unit=_("meetings"),
            records=_("partnership meetings"),
            measure=Measure(
                rows=_meetings,
                organisation="organisation",
                location="settlement",
                date="held_on",
                aggregate=_count,
            ),
            lists="meeting",
        ),
        Indicator(
            code="measures_done",
            label=_("action-plan measures done"),
            unit=_("measures"),
            records=_("action-plan measures done"),
            measure=Measure(
                rows=_measures_done,
                organisation="organisation",
                location="organisation__settlement",
                date="done_on",
                aggregate=_count,
            ),
            lists="measure",
        ),
    ]
