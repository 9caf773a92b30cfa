"""Indicators as the records stood at a past moment, read from the history tables.

A report has two dates. ``Scope.as_of`` is the day records are counted up to (a plan signed
by then, a session held by then): the indicators in ``reporting.indicators`` apply it to today's
rows. The moment (``records_at``) is when the database was asked: a plan whose signature date
was corrected after a report was submitted counts differently today than it did then. Today's
rows cannot answer for that moment; the history tables (simple-history, one row per save with
``history_date``) can: the state of a row at moment M is its latest history row dated up to M,
unless that row records its deletion.

Each indicator here is the same count as its namesake in ``INDICATORS``, written over those
states: the row set of the indicator's own model at M, and every value it needs from another
model (the case's programme and organisation, the plan's signature, the session's kind, day and
length, the client's settlement) as that model's state at M, through a correlated subquery. It is
still one aggregate query per figure set (total, per place), whatever the number of records;
it is slower than today's figures (every row's state is a search of its history) and meant for
the occasional rebuild or check, not for the dashboard.

Indicators without an entry here (the ones whose records do not keep the fields the count needs
in their history, and any added to the registry later) cannot be rebuilt: ``supports()`` says so
and a rebuilt report leaves them out, rather than mixing today's records into a past moment.
``tests/reporting/test_asof__history.py`` checks that each entry counts what its namesake counts
when nothing changed since, so a change of an indicator's rule shows up there.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum

from casework.models import (
    Attendance,
    Case,
    Client,
    DevelopmentPlan,
    ExitOutcome,
    HealthScreening,
    Placement,
    Referral,
    ReferralStatus,
    ScreeningStatus,
    Session,
    SessionKind,
)
from community.models import CommunityEvent, EventAttendee, EventKind

from .indicators import INDICATORS, Scope


def state_at(model, moment: datetime.datetime) -> QuerySet:
    """The historical rows of ``model`` that are its rows' state at ``moment``: for each id the
    latest history row dated up to then (ties broken by the history id), deletions left out."""
    history = model.history.model
    later = history.objects.filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")),
        id=OuterRef("id"),
        history_date__lte=moment,
    )
    return (
        history.objects.filter(history_date__lte=moment)
        .filter(~Exists(later))
        .exclude(history_type="-")
    )


def value_at(model, moment, field: str, *, ref: str, key: str = "id") -> Subquery:
    """``field`` of the ``model`` row whose ``key`` is the outer row's ``ref``, as it stood at
    ``moment``."""
    return Subquery(state_at(model, moment).filter(**{key: OuterRef(ref)}).values(field)[:1])


@dataclass(frozen=True)
class PastMeasure:
    """How to count an indicator at a moment: the rows with ``at_org`` (the partner) and
    ``at_place`` (the location) annotated, and the aggregate over them."""

    rows: Callable[[Scope, datetime.datetime], QuerySet]
    aggregate: Callable[[], object]


def _case_values(moment, ref: str = "case_id") -> dict:
    return {
        "at_programme": value_at(Case, moment, "programme_id", ref=ref),
        "at_org": value_at(Case, moment, "organisation_id", ref=ref),
        "at_person": value_at(Case, moment, "client_id", ref=ref),
    }


def _with_place(rows: QuerySet, moment) -> QuerySet:
    return rows.annotate(at_place=value_at(Client, moment, "settlement", ref="at_person"))


def _participants(scope: Scope, moment) -> QuerySet:
    rows = (
        state_at(Case, moment)
        .filter(programme_id=scope.programme.pk)
        .annotate(
            at_org=F("organisation_id"),
            at_person=F("client_id"),
            at_signed=value_at(
                DevelopmentPlan, moment, "client_agreed_on", ref="id", key="case_id"
            ),
        )
        .filter(at_signed__isnull=False, at_signed__lte=scope.as_of)
    )
    return _with_place(rows, moment)


def _session_hours(kind: str):
    def rows(scope: Scope, moment) -> QuerySet:
        attended = (
            state_at(Attendance, moment)
            .filter(present=True)
            .annotate(
                **_case_values(moment),
                at_kind=value_at(Session, moment, "kind", ref="session_id"),
                at_day=value_at(Session, moment, "held_on", ref="session_id"),
                at_minutes=value_at(Session, moment, "duration_minutes", ref="session_id"),
            )
            .filter(at_programme=scope.programme.pk, at_kind=kind, at_day__lte=scope.as_of)
        )
        return _with_place(attended, moment)

    return rows


def _case_records(model, date: str, **conditions):
    def rows(scope: Scope, moment) -> QuerySet:
        records = (
            state_at(model, moment)
            .filter(**conditions, **{f"{date}__lte": scope.as_of})
            .annotate(**_case_values(moment))
            .filter(at_programme=scope.programme.pk)
        )
        return _with_place(records, moment)

    return rows


def _answered_referrals(scope: Scope, moment) -> QuerySet:
    rows = (
        state_at(Referral, moment)
        .filter(
            Q(status=ReferralStatus.ANSWERED) | Q(status=ReferralStatus.CLOSED),
            answered_on__lte=scope.as_of,
        )
        .annotate(**_case_values(moment))
        .filter(at_programme=scope.programme.pk)
    )
    return _with_place(rows, moment)


def _events(kind: str | None = None):
    def rows(scope: Scope, moment) -> QuerySet:
        events = state_at(CommunityEvent, moment).filter(
            programme_id=scope.programme.pk, held_on__lte=scope.as_of
        )
        if kind:
            events = events.filter(kind=kind)
        return events.annotate(at_org=F("organisation_id"), at_place=F("settlement"))

    return rows


def _attendees(*, guests: bool | None):
    def rows(scope: Scope, moment) -> QuerySet:
        lines = state_at(EventAttendee, moment)
        if guests is not None:
            lines = lines.filter(client__isnull=guests)
        return lines.annotate(
            at_programme=value_at(CommunityEvent, moment, "programme_id", ref="event_id"),
            at_org=value_at(CommunityEvent, moment, "organisation_id", ref="event_id"),
            at_place=value_at(CommunityEvent, moment, "settlement", ref="event_id"),
            at_day=value_at(CommunityEvent, moment, "held_on", ref="event_id"),
        ).filter(at_programme=scope.programme.pk, at_day__lte=scope.as_of)

    return rows


def _count() -> Count:
    return Count("history_id")


def _people() -> Count:
    return Count("at_person", distinct=True)


def _minutes() -> Sum:
    return Sum("at_minutes")


PAST: dict[str, PastMeasure] = {
    "participants": PastMeasure(_participants, _people),
    "counselling_hours": PastMeasure(_session_hours(SessionKind.COUNSELLING), _minutes),
    "training_hours": PastMeasure(_session_hours(SessionKind.TRAINING), _minutes),
    "screenings": PastMeasure(
        _case_records(HealthScreening, "screened_on", status=ScreeningStatus.DONE), _people
    ),
    "placements": PastMeasure(
        _case_records(
            Placement,
            "exit_recorded_on",
            exit_outcome__in=[ExitOutcome.EMPLOYED, ExitOutcome.SELF_EMPLOYED],
        ),
        _people,
    ),
    "referrals_closed": PastMeasure(_answered_referrals, _count),
    "forums": PastMeasure(_events(EventKind.FORUM), _count),
    "forum_locations": PastMeasure(
        _events(EventKind.FORUM), lambda: Count("settlement", distinct=True)
    ),
    "events": PastMeasure(_events(), _count),
    "event_attendance": PastMeasure(_attendees(guests=None), _count),
    "event_clients": PastMeasure(_attendees(guests=False), _count),
    "event_guests": PastMeasure(_attendees(guests=True), _count),
}


def supports(code: str) -> bool:
    return code in PAST and code in INDICATORS


def _rows(code: str, scope: Scope, moment) -> QuerySet:
    rows = PAST[code].rows(scope, moment)
    if scope.organisation_ids is not None:
        rows = rows.filter(at_org__in=scope.organisation_ids)
    return rows


def total_at(code: str, scope: Scope, moment: datetime.datetime):
    """The indicator's total as the records stood at ``moment``."""
    value = _rows(code, scope, moment).aggregate(value=PAST[code].aggregate())["value"]
    return INDICATORS[code].measure.convert(value)


def by_place_at(code: str, scope: Scope, moment: datetime.datetime) -> dict:
    """The value per ``(organisation id, location)`` as the records stood at ``moment``."""
    rows = (
        _rows(code, scope, moment)
        .values("at_org", "at_place")
        .annotate(value=PAST[code].aggregate())
        .order_by()
    )
    convert = INDICATORS[code].measure.convert
    return {(row["at_org"], row["at_place"] or ""): convert(row["value"]) for row in rows}
