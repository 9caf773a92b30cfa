"""The ESF+ entry record: what the participant's characteristics were on the entry date
(Regulation (EU) 2021/1057, Annex I common indicators), and what a record still lacks.

Plain functions over a record: ``entry_record_from_client`` copies the client's entry data,
``derive`` works out what follows from it on the entry date (age, age band, long-term
unemployment, completeness). The services take and correct records with them
(``casework.services``); the reports only read the stored results.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    AgeBand,
    Case,
    Client,
    EducationLevel,
    EntryEducation,
    EntryLabourStatus,
    EntryRecord,
    LabourMarketStatus,
    Settlement,
)

LABOUR_STATUS = {
    LabourMarketStatus.UNEMPLOYED: EntryLabourStatus.UNEMPLOYED,
    # Whether the unemployment is long is worked out from ``unemployed_since``, not taken from
    # the choice.
    LabourMarketStatus.LONG_TERM_UNEMPLOYED: EntryLabourStatus.UNEMPLOYED,
    LabourMarketStatus.INACTIVE: EntryLabourStatus.INACTIVE,
    LabourMarketStatus.INACTIVE_IN_EDUCATION: EntryLabourStatus.INACTIVE,
    LabourMarketStatus.EMPLOYED: EntryLabourStatus.EMPLOYED,
    # Public works (közfoglalkoztatás) is employment under a contract.
    LabourMarketStatus.PUBLIC_WORKS: EntryLabourStatus.EMPLOYED,
}

EDUCATION = {
    EducationLevel.ISCED_0_1: EntryEducation.ISCED_0_2,
    EducationLevel.ISCED_2: EntryEducation.ISCED_0_2,
    EducationLevel.ISCED_3_4: EntryEducation.ISCED_3_4,
    EducationLevel.ISCED_5_8: EntryEducation.ISCED_5_8,
}

# Unemployed for more than this many months is long-term; more than six below 25.
LONG_TERM_MONTHS, LONG_TERM_MONTHS_YOUNG, YOUNG_BELOW = 12, 6, 25

COPIED = (
    "gender",
    "birth_date",
    "birth_year",
    "unemployed_since",
    "third_country_national",
    "foreign_origin",
    "housing_exclusion",
    "settlement",
)

# What a correction may change: the inputs; the rest is derived from them again.
CORRECTABLE = (*COPIED, "labour_status", "education")


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Completed years on ``day``: the birthday itself counts."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def possible_ages(record: EntryRecord) -> set[int]:
    """The age on the entry date: exact with the date of birth, one of two with the year."""
    if record.birth_date is not None:
        return {age_on(record.birth_date, record.entry_date)}
    if record.birth_year is not None:
        years = record.entry_date.year - record.birth_year
        return {years - 1, years} - {-1}
    return set()


def age_band(age: int) -> str:
    if age < 18:
        return AgeBand.UNDER_18
    if age < 30:
        return AgeBand.FROM_18_TO_29
    if age < 55:
        return AgeBand.FROM_30_TO_54
    return AgeBand.FROM_55


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def is_long_term(since: datetime.date, entry_date: datetime.date, age: int) -> bool:
    months = LONG_TERM_MONTHS_YOUNG if age < YOUNG_BELOW else LONG_TERM_MONTHS
    return entry_date > add_months(since, months)


def _one(values: set):
    """The value when every possibility agrees, else None (not known)."""
    return next(iter(values)) if len(values) == 1 else None


def derive(record: EntryRecord) -> EntryRecord:
    """Work out what follows from the record's inputs on its entry date."""
    ages = possible_ages(record)
    record.age = _one(ages)
    record.age_band = _one({age_band(age) for age in ages}) or ""
    record.long_term_unemployed = None
    if record.labour_status == EntryLabourStatus.UNEMPLOYED and record.unemployed_since:
        record.long_term_unemployed = _one(
            {is_long_term(record.unemployed_since, record.entry_date, age) for age in ages}
        )
    elif record.labour_status and record.labour_status != EntryLabourStatus.UNEMPLOYED:
        record.long_term_unemployed = False
        record.unemployed_since = None
    record.complete = not entry_record_missing(record)
    return record


def rural(*, country: str, settlement: str) -> bool | None:
    """The settlement's rural flag from the settlement table; None when it is not listed."""
    if not settlement:
        return None
    row = Settlement.objects.filter(country=country, name__iexact=settlement.strip()).first()
    return None if row is None else row.rural


def entry_record_from_client(
    *, client: Client, case: Case, entry_date: datetime.date
) -> EntryRecord:
    """A new (unsaved) record: the client's data as it is now, on ``entry_date``."""
    record = EntryRecord(client=client, programme=case.programme, case=case, entry_date=entry_date)
    for name in COPIED:
        setattr(record, name, getattr(client, name))
    record.labour_status = LABOUR_STATUS.get(client.labour_market_status, "")
    record.education = EDUCATION.get(client.education_level, "")
    record.rural = rural(country=case.programme.country, settlement=client.settlement)
    return derive(record)


def entry_record_missing(record: EntryRecord) -> list[str]:
    """The characteristics a record lacks before it counts in the breakdowns (translated)."""

    def label(name: str) -> str:
        return str(EntryRecord._meta.get_field(name).verbose_name)

    missing = []
    if not record.gender:
        missing.append(label("gender"))
    if not record.age_band:
        missing.append(
            _("the date of birth (the year alone leaves the age band open)")
            if record.birth_year is not None
            else label("birth_date")
        )
    if not record.labour_status:
        missing.append(label("labour_status"))
    elif (
        record.labour_status == EntryLabourStatus.UNEMPLOYED and record.long_term_unemployed is None
    ):
        missing.append(
            label("unemployed_since")
            if record.unemployed_since is None
            else _("the date of birth (long-term unemployment depends on the age)")
        )
    if not record.education:
        missing.append(label("education"))
    for name in ("third_country_national", "foreign_origin", "housing_exclusion"):
        if getattr(record, name) is None:
            missing.append(label(name))
    if record.rural is None:
        missing.append(
            _("rural residence (the settlement is not in the settlement list)")
            if record.settlement
            else label("settlement")
        )
    return missing


def preview(case: Case) -> EntryRecord:
    """The record as it would be taken today from the client's data (for the case page)."""
    return entry_record_from_client(client=case.client, case=case, entry_date=timezone.localdate())
