"""A demo client's data: a name from ``data/names.yaml`` and realistic ESF entry data (the
common indicators at entry), drawn from the cohort's generator."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import yaml

from privacy.demo import SPECIAL, demo_answers

from ..models import (
    Country,
    EducationLevel,
    Gender,
    Household,
    LabourMarketStatus,
    TargetGroup,
)

DATA = Path(__file__).resolve().parent / "data"
# Ages are counted from a fixed year so that the generated birth years never change.
REFERENCE_YEAR = 2026


@cache
def data(name: str):
    """The demo data file ``data/<name>.yaml``."""
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def client_data(rng: random.Random, *, country: str, settlements: list[str], taken: set) -> dict:
    """A participant with realistic ESF entry data (common indicators at entry)."""
    names = data("names")
    while True:
        female = rng.random() < 0.56
        if country == Country.SLOVAKIA:
            male_name, female_name = rng.choice(names["sk"]["family"])
            family = female_name if female else male_name
            given = rng.choice(names["sk"]["female" if female else "male"])
        else:
            family = rng.choice(names["hu"]["family"])
            given = rng.choice(names["hu"]["female" if female else "male"])
        if (family, given) not in taken:
            taken.add((family, given))
            break
    age = rng.choice([rng.randint(18, 29), rng.randint(25, 49), rng.randint(30, 62)])
    statuses = [
        (LabourMarketStatus.LONG_TERM_UNEMPLOYED, 40),
        (LabourMarketStatus.UNEMPLOYED, 20),
        (LabourMarketStatus.INACTIVE, 15),
        (LabourMarketStatus.PUBLIC_WORKS, 20 if country == Country.HUNGARY else 0),
        (LabourMarketStatus.INACTIVE_IN_EDUCATION, 5 if age < 25 else 0),
    ]
    status = rng.choices([s for s, _w in statuses], weights=[w for _s, w in statuses])[0]
    education = rng.choices(
        [
            EducationLevel.ISCED_0_1,
            EducationLevel.ISCED_2,
            EducationLevel.ISCED_3_4,
            EducationLevel.ISCED_5_8,
        ],
        weights=[28, 47, 22, 3],
    )[0]
    with_children = 20 <= age <= 50 and rng.random() < 0.6
    if with_children and female and rng.random() < 0.4:
        household = Household.SINGLE_ADULT_WITH_CHILDREN
    elif with_children:
        household = Household.JOBLESS_WITH_CHILDREN
    else:
        household = rng.choice([Household.JOBLESS, Household.OTHER])
    groups = []
    if status == LabourMarketStatus.LONG_TERM_UNEMPLOYED:
        groups.append(TargetGroup.LONG_TERM_UNEMPLOYED)
    if rng.random() < 0.5:
        groups.append(TargetGroup.SEGREGATED_SETTLEMENT)
    if age < 30:
        groups.append(TargetGroup.YOUNG_PERSON)
    if age > 50:
        groups.append(TargetGroup.OLDER_WORKER)
    if household == Household.SINGLE_ADULT_WITH_CHILDREN:
        groups.append(TargetGroup.SINGLE_PARENT)
    # Disability and a criminal record are special-category records, not target groups ticked
    # in the client file (privacy.special.TARGET_GROUP_CATEGORIES).
    disability = rng.random() < 0.06
    ex_offender = rng.random() < 0.03
    if rng.random() < 0.03:
        groups.append(TargetGroup.HOMELESS)
    if not groups:
        groups.append(TargetGroup.SEGREGATED_SETTLEMENT)
    # Special-category data is declared voluntarily: often not answered (None).
    minority = rng.choices([True, False, None], weights=[45, 20, 35])[0]
    if country == Country.SLOVAKIA:
        phone = f"+421 905 555 {rng.randint(100, 999)}"
    else:
        phone = f"+36 {rng.choice([20, 30, 70])} 555 {rng.randint(1000, 9999)}"
    return {
        "family_name": family,
        "given_name": given,
        "birth_year": REFERENCE_YEAR - age,
        "gender": Gender.FEMALE.value if female else Gender.MALE.value,
        "settlement": rng.choice(settlements),
        "phone": phone if rng.random() < 0.8 else "",
        "labour_market_status": status.value,
        "education_level": education.value,
        "household": household.value,
        "target_groups": [group.value for group in groups],
        SPECIAL: demo_answers(
            minority=minority,
            disability=True if disability else rng.choice([False, None]),
            ex_offender=ex_offender,
        ),
    }
