"""The programme indicators, one declaration each, like the journey's stages.

Every indicator counts records of one programme up to a date (``as_of``), optionally of some
partner organisations only, and answers its value per ``(organisation, location)``: the
partner that keeps the record and the settlement it is about (the client's settlement for
participants, the event's for community events). The total is asked of the database on its
own, because a person counted in two places is still one participant.

Who counts as a participant follows the Hungarian practice: a client whose individual
development plan the client has signed (the plan's agreement date is the entry date). A person
with two cases in the programme is one participant.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from casework.models import (
    AgeBand,
    Attendance,
    Case,
    EntryEducation,
    EntryLabourStatus,
    EntryRecord,
    ExitOutcome,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Gender,
    HealthScreening,
    Placement,
    Programme,
    Referral,
    ReferralStatus,
    ScreeningStatus,
    SessionKind,
)
from community.models import CommunityEvent, EventAttendee, EventKind


@dataclass(frozen=True)
class Scope:
    """What a report covers: one programme, up to ``as_of``, of these organisations (None:
    the whole consortium)."""

    programme: Programme
    as_of: datetime.date
    organisation_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class Kept:
    """The measure's figure as the database keeps it (``reporting.kept``): ``months`` gives the
    kept rows per month of the scope's programme (``organisation``, ``place``, ``month``: the
    month's first day), ``days`` the rows per day (``day`` instead of ``month``), for a month
    that is not over; ``aggregate`` and ``where`` play the parts of the measure's own on them,
    and ``records`` is the column that counts the records behind a row (a place counts for an
    indicator only when some of its records do)."""

    months: Callable[[Scope], QuerySet]
    days: Callable[[Scope], QuerySet]
    aggregate: Callable[..., object]
    where: Q
    records: str


@dataclass(frozen=True)
class Measure:
    """How to count an indicator: the rows (already narrowed to the programme and date), the
    paths from a row to its organisation and location, and the aggregate over the rows."""

    rows: Callable[[Scope], QuerySet]
    organisation: str
    location: str
    # The date a row counts from (a plan's signature, a session's day...).
    date: str
    # ``aggregate(filter=None)``: the aggregate, optionally over some rows only.
    aggregate: Callable[..., object]
    # How one aggregated value becomes the indicator's figure (minutes -> hours).
    convert: Callable[[object], Decimal | int] = lambda value: value or 0
    # The indicator's own condition on ``rows`` (on the row's own fields or single-valued
    # relations). Indicators whose measures share ``rows`` (the same function) and paths, and
    # differ only in this, are answered together: one pass for all of them, each aggregate
    # filtered by its own condition (``reporting.passes``).
    where: Q = field(default_factory=Q)
    # The same figure kept per month by the database, when it is (read instead of the rows
    # for the months before the scope's day: ``reporting.passes``).
    kept: Kept | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    label: object
    unit: object
    records: object  # what the number counts, for the page that lists them
    measure: Measure
    # The model listed behind the number ("participants" list their cases).
    lists: str
    # Where the dashboard shows it: "" the programme's own indicators (a card with its chart
    # each), or one of ``GROUPS`` (the ESF+ common indicators, one table each).
    group: str = ""

    @property
    def base(self) -> tuple:
        """What the indicator's rows are before its own condition (``measure.where``): the
        rows' function and the paths they are scoped and grouped by. Indicators with the same
        base share their passes over the records (``reporting.passes``)."""
        measure = self.measure
        return (measure.rows, measure.organisation, measure.location)

    def base_rows(self, scope: Scope) -> QuerySet:
        """The rows of ``base`` in ``scope``: the indicator counts those of them that meet
        ``measure.where``."""
        rows = self.measure.rows(scope)
        if scope.organisation_ids is not None:
            rows = rows.filter(**{f"{self.measure.organisation}__in": scope.organisation_ids})
        return rows

    def _rows(self, scope: Scope) -> QuerySet:
        return self.base_rows(scope).filter(self.measure.where)

    def total(self, scope: Scope):
        value = self._rows(scope).aggregate(value=self.measure.aggregate())["value"]
        return self.measure.convert(value)

    def by_place(self, scope: Scope) -> dict[tuple[int, str], Decimal | int]:
        """The value per ``(organisation id, location)``, in one query."""
        rows = (
            self._rows(scope)
            .values(org=F(self.measure.organisation), place=F(self.measure.location))
            .annotate(value=self.measure.aggregate())
            .order_by()
        )
        convert = self.measure.convert
        return {(row["org"], row["place"] or ""): convert(row["value"]) for row in rows}

    def cumulative(self, scope: Scope, days: list[datetime.date]) -> list[Decimal | int]:
        """The value as it stood at the end of each of ``days``, in one query: one aggregate
        per day, so a person counted once stays counted once across the months."""
        if not days:
            return []
        values = self._rows(scope).aggregate(
            **{
                f"d{index}": self.measure.aggregate(filter=Q(**{f"{self.measure.date}__lte": day}))
                for index, day in enumerate(days)
            }
        )
        return [self.measure.convert(values[f"d{index}"]) for index in range(len(days))]

    def records_behind(self, scope: Scope) -> QuerySet:
        """The rows the number counts (scoped like the number)."""
        return self._rows(scope)


def _participants(scope: Scope) -> QuerySet:
    return Case.objects.filter(
        programme=scope.programme,
        plan__client_agreed_on__isnull=False,
        plan__client_agreed_on__lte=scope.as_of,
    )


def _attendance(scope: Scope) -> QuerySet:
    """Presence at sessions of every kind (an indicator takes one kind: ``Measure.where``)."""
    return Attendance.objects.filter(
        case__programme=scope.programme, present=True, session__held_on__lte=scope.as_of
    )


def _events(scope: Scope) -> QuerySet:
    return CommunityEvent.objects.filter(programme=scope.programme, held_on__lte=scope.as_of)


def _attendees(scope: Scope) -> QuerySet:
    return EventAttendee.objects.filter(
        event__programme=scope.programme, event__held_on__lte=scope.as_of
    )


def _hours(minutes) -> Decimal:
    # Half an hour rounds up, as a timesheet does (Decimal rounds half to even otherwise).
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


PEOPLE = _("people")


def _distinct(path: str) -> Callable[..., Count]:
    return lambda filter=None: Count(path, distinct=True, filter=filter)


def _count(filter=None) -> Count:
    return Count("id", filter=filter)


def _minutes(filter=None) -> Sum:
    return Sum("session__duration_minutes", filter=filter)


def _kept_months(scope: Scope) -> QuerySet:
    from .models import AttendedMinutes  # the models import this registry

    return AttendedMinutes.objects.filter(programme=scope.programme)


def _kept_days(scope: Scope) -> QuerySet:
    from .models import AttendedDayMinutes

    return AttendedDayMinutes.objects.filter(programme=scope.programme)


def _kept_hours(kind: str) -> Kept:
    return Kept(
        months=_kept_months,
        days=_kept_days,
        aggregate=lambda filter=None: Sum("minutes", filter=filter),
        where=Q(kind=kind),
        records="lines",
    )


DISTINCT_CLIENTS = _distinct("client")
DISTINCT_CASE_CLIENTS = _distinct("case__client")

INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in [
        Indicator(
            code="participants",
            label=_("participants with a signed development plan"),
            unit=PEOPLE,
            records=_("cases whose client signed the development plan"),
            measure=Measure(
                rows=_participants,
                organisation="organisation",
                location="client__settlement",
                date="plan__client_agreed_on",
                aggregate=DISTINCT_CLIENTS,
            ),
            lists="case",
        ),
        Indicator(
            code="counselling_hours",
            label=_("counselling hours attended"),
            unit=_("hours"),
            records=_("attendance at counselling sessions"),
            measure=Measure(
                rows=_attendance,
                organisation="case__organisation",
                location="case__client__settlement",
                date="session__held_on",
                aggregate=_minutes,
                convert=_hours,
                where=Q(session__kind=SessionKind.COUNSELLING),
                kept=_kept_hours(SessionKind.COUNSELLING),
            ),
            lists="attendance",
        ),
        Indicator(
            code="training_hours",
            label=_("competence training hours attended"),
            unit=_("hours"),
            records=_("attendance at competence trainings"),
            measure=Measure(
                rows=_attendance,
                organisation="case__organisation",
                location="case__client__settlement",
                date="session__held_on",
                aggregate=_minutes,
                convert=_hours,
                where=Q(session__kind=SessionKind.TRAINING),
                kept=_kept_hours(SessionKind.TRAINING),
            ),
            lists="attendance",
        ),
        Indicator(
            code="screenings",
            label=_("clients screened for health"),
            unit=PEOPLE,
            records=_("health screenings done"),
            measure=Measure(
                rows=lambda scope: HealthScreening.objects.filter(
                    case__programme=scope.programme,
                    status=ScreeningStatus.DONE,
                    screened_on__lte=scope.as_of,
                ),
                organisation="case__organisation",
                location="case__client__settlement",
                date="screened_on",
                aggregate=DISTINCT_CASE_CLIENTS,
            ),
            lists="screening",
        ),
        Indicator(
            code="placements",
            label=_("clients in employment at exit (incl. self-employed)"),
            unit=PEOPLE,
            records=_("placements with employment as the outcome at exit"),
            measure=Measure(
                rows=lambda scope: Placement.objects.filter(
                    case__programme=scope.programme,
                    exit_outcome__in=[ExitOutcome.EMPLOYED, ExitOutcome.SELF_EMPLOYED],
                    exit_recorded_on__lte=scope.as_of,
                ),
                organisation="case__organisation",
                location="case__client__settlement",
                date="exit_recorded_on",
                aggregate=DISTINCT_CASE_CLIENTS,
            ),
            lists="placement",
        ),
        Indicator(
            code="referrals_closed",
            label=_("referrals to partner offices answered"),
            unit=_("referrals"),
            records=_("referrals with the partner's answer"),
            measure=Measure(
                rows=lambda scope: Referral.objects.filter(
                    Q(status=ReferralStatus.ANSWERED) | Q(status=ReferralStatus.CLOSED),
                    case__programme=scope.programme,
                    answered_on__lte=scope.as_of,
                ),
                organisation="case__organisation",
                location="case__client__settlement",
                date="answered_on",
                aggregate=_count,
            ),
            lists="referral",
        ),
        Indicator(
            code="forums",
            label=_("community forums held"),
            unit=_("events"),
            records=_("community forums"),
            measure=Measure(
                rows=_events,
                organisation="organisation",
                location="settlement",
                date="held_on",
                aggregate=_count,
                where=Q(kind=EventKind.FORUM),
            ),
            lists="event",
        ),
        Indicator(
            code="forum_locations",
            label=_("locations with a community forum"),
            unit=_("settlements"),
            records=_("community forums"),
            measure=Measure(
                rows=_events,
                organisation="organisation",
                location="settlement",
                date="held_on",
                aggregate=_distinct("settlement"),
                where=Q(kind=EventKind.FORUM),
            ),
            lists="event",
        ),
        Indicator(
            code="events",
            label=_("community events held"),
            unit=_("events"),
            records=_("community events"),
            measure=Measure(
                rows=_events,
                organisation="organisation",
                location="settlement",
                date="held_on",
                aggregate=_count,
            ),
            lists="event",
        ),
        Indicator(
            code="event_attendance",
            label=_("attendance at community events (attendance sheet lines)"),
            unit=_("attendees"),
            records=_("attendance sheet lines"),
            measure=Measure(
                rows=_attendees,
                organisation="event__organisation",
                location="event__settlement",
                date="event__held_on",
                aggregate=_count,
            ),
            lists="attendee",
        ),
        Indicator(
            code="event_clients",
            label=_("clients among the attendees"),
            unit=_("attendees"),
            records=_("attendance sheet lines of clients"),
            measure=Measure(
                rows=_attendees,
                organisation="event__organisation",
                location="event__settlement",
                date="event__held_on",
                aggregate=_count,
                where=Q(client__isnull=False),
            ),
            lists="attendee",
        ),
        Indicator(
            code="event_guests",
            label=_("named guests among the attendees"),
            unit=_("attendees"),
            records=_("attendance sheet lines of guests"),
            measure=Measure(
                rows=_attendees,
                organisation="event__organisation",
                location="event__settlement",
                date="event__held_on",
                aggregate=_count,
                where=Q(client__isnull=True),
            ),
            lists="attendee",
        ),
    ]
}


# --------------------------------------------------------------------------------------------
# ESF+ common indicators (Regulation (EU) 2021/1057, Annex I)
# --------------------------------------------------------------------------------------------
#
# Participants are counted from their entry records (casework.EntryRecord: one per person and
# programme, taken when the client becomes a participant under the programme's rule), so a
# person with two cases is counted once, with the characteristics of their entry. A breakdown
# counts only complete records; the incomplete ones are counted (and listed) apart so that staff
# can complete them. Disability and minority come from ``privacy`` (special categories, with
# small cells suppressed there), not from here.

ENTRY_GROUP, RESULT_GROUP = "esf_entry", "esf_results"
GROUPS = {
    ENTRY_GROUP: _("ESF+ participants by characteristics at entry"),
    RESULT_GROUP: _("ESF+ results"),
}

# Results at exit count when the client answered within four weeks of leaving; results six
# months after leaving when they answered in the four weeks from the 26th week (day 182, the
# second follow-up's default date) on.
AT_EXIT_DAYS = 28
SIX_MONTHS_DAYS = (182, 182 + 28)
AT_EXIT = Q(kind=FollowUpKind.FIRST, days_after_exit__lte=AT_EXIT_DAYS)
SIX_MONTHS = Q(
    kind=FollowUpKind.SECOND,
    days_after_exit__gte=SIX_MONTHS_DAYS[0],
    days_after_exit__lte=SIX_MONTHS_DAYS[1],
)


def _entry_records(scope: Scope) -> QuerySet:
    """Every entry record of the programme up to the date (an indicator takes those that meet
    its conditions: ``Measure.where``)."""
    return EntryRecord.objects.filter(programme=scope.programme, entry_date__lte=scope.as_of)


def _participants_follow_ups(scope: Scope) -> QuerySet:
    """The follow-ups that reached participants (an indicator takes those with its answer
    inside its window: ``Measure.where``)."""
    return FollowUp.objects.filter(
        status=FollowUpStatus.REACHED,
        contacted_on__lte=scope.as_of,
        case__programme=scope.programme,
        # Participants only: the one entry record of the person in this programme.
        case__client__entry_records__programme=scope.programme,
        case__client__entry_records__entry_date__lte=scope.as_of,
    )


def _answered(window: Q, question: str) -> Q:
    """Follow-ups that answered ``question`` with yes inside ``window``."""
    return window & Q(**{question: True})


def _results(window: Q, question: str) -> Callable[[Scope], QuerySet]:
    """Follow-ups of participants that answered ``question`` with yes inside ``window``."""

    def rows(scope: Scope) -> QuerySet:
        return _participants_follow_ups(scope).filter(_answered(window, question))

    return rows


def _entry_indicator(code: str, label, *conditions: Q, complete: bool | None = True) -> Indicator:
    return Indicator(
        code=code,
        label=label,
        unit=PEOPLE,
        records=_("ESF+ entry records"),
        measure=Measure(
            rows=_entry_records,
            organisation="case__organisation",
            # Where the participant lived on the entry date (the snapshot's settlement).
            location="settlement",
            date="entry_date",
            aggregate=DISTINCT_CLIENTS,
            where=Q(*conditions) if complete is None else Q(*conditions, complete=complete),
        ),
        lists="entry",
        group=ENTRY_GROUP,
    )


def _result_indicator(code: str, label, window: Q, question: str) -> Indicator:
    return Indicator(
        code=code,
        label=label,
        unit=PEOPLE,
        records=_("follow-ups with this answer"),
        measure=Measure(
            rows=_participants_follow_ups,
            organisation="case__organisation",
            location="case__client__settlement",
            date="contacted_on",
            aggregate=DISTINCT_CASE_CLIENTS,
            where=_answered(window, question),
        ),
        lists="follow_up",
        group=RESULT_GROUP,
    )


ESF_INDICATORS = [
    _entry_indicator("esf_participants", _("ESF+ participants (entry records)"), complete=None),
    _entry_indicator(
        "esf_incomplete",
        _("participants whose entry record is incomplete (not in the breakdowns)"),
        complete=False,
    ),
    _entry_indicator("esf_female", _("participants: women"), Q(gender=Gender.FEMALE)),
    _entry_indicator("esf_male", _("participants: men"), Q(gender=Gender.MALE)),
    _entry_indicator("esf_non_binary", _("participants: non-binary"), Q(gender=Gender.NON_BINARY)),
    _entry_indicator("esf_age_lt18", _("participants below 18"), Q(age_band=AgeBand.UNDER_18)),
    _entry_indicator(
        "esf_age_18_29", _("participants aged 18–29"), Q(age_band=AgeBand.FROM_18_TO_29)
    ),
    _entry_indicator(
        "esf_age_30_54", _("participants aged 30–54"), Q(age_band=AgeBand.FROM_30_TO_54)
    ),
    _entry_indicator(
        "esf_age_55plus", _("participants aged 55 and over"), Q(age_band=AgeBand.FROM_55)
    ),
    _entry_indicator(
        "esf_unemployed",
        _("unemployed participants, including long-term unemployed"),
        Q(labour_status=EntryLabourStatus.UNEMPLOYED),
    ),
    _entry_indicator(
        "esf_long_term_unemployed",
        _("long-term unemployed participants"),
        Q(labour_status=EntryLabourStatus.UNEMPLOYED, long_term_unemployed=True),
    ),
    _entry_indicator(
        "esf_inactive", _("inactive participants"), Q(labour_status=EntryLabourStatus.INACTIVE)
    ),
    _entry_indicator(
        "esf_employed",
        _("employed participants, including self-employed"),
        Q(labour_status=EntryLabourStatus.EMPLOYED),
    ),
    _entry_indicator(
        "esf_isced_0_2",
        _("participants with lower secondary education or less (ISCED 0–2)"),
        Q(education=EntryEducation.ISCED_0_2),
    ),
    _entry_indicator(
        "esf_isced_3_4",
        _("participants with upper secondary or post-secondary education (ISCED 3–4)"),
        Q(education=EntryEducation.ISCED_3_4),
    ),
    _entry_indicator(
        "esf_isced_5_8",
        _("participants with tertiary education (ISCED 5–8)"),
        Q(education=EntryEducation.ISCED_5_8),
    ),
    _entry_indicator(
        "esf_third_country",
        _("third-country nationals"),
        Q(third_country_national=True),
    ),
    _entry_indicator(
        "esf_foreign_origin", _("participants of foreign origin"), Q(foreign_origin=True)
    ),
    _entry_indicator(
        "esf_homeless",
        _("homeless participants or affected by housing exclusion"),
        Q(housing_exclusion=True),
    ),
    _entry_indicator("esf_rural", _("participants from rural areas"), Q(rural=True)),
    _result_indicator(
        "esf_exit_job_searching",
        _("participants engaged in job searching upon leaving"),
        AT_EXIT,
        "job_searching",
    ),
    _result_indicator(
        "esf_exit_in_education",
        _("participants in education or training upon leaving"),
        AT_EXIT,
        "in_education",
    ),
    _result_indicator(
        "esf_exit_qualification",
        _("participants gaining a qualification upon leaving"),
        AT_EXIT,
        "gained_qualification",
    ),
    _result_indicator(
        "esf_exit_employed",
        _("participants in employment, including self-employment, upon leaving"),
        AT_EXIT,
        "employed",
    ),
    _result_indicator(
        "esf_6m_employed",
        _("participants in employment, including self-employment, six months after leaving"),
        SIX_MONTHS,
        "employed",
    ),
    _result_indicator(
        "esf_6m_improved",
        _("participants with an improved labour-market situation six months after leaving"),
        SIX_MONTHS,
        "improved_situation",
    ),
]
INDICATORS.update((indicator.code, indicator) for indicator in ESF_INDICATORS)
# Community work (consultants' field work, micro-projects, the partnership): a block of its own.
from .community_indicators import indicators as community_indicators  # noqa: E402

INDICATORS.update((indicator.code, indicator) for indicator in community_indicators())
