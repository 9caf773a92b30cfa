"""Demo data for the ESF+ entry record: the settlement list with its rural flags, and the entry
fields ``seed_demo``'s clients need beyond its own (date of birth, unemployed since, third-country
national, foreign origin, housing exclusion), so that the demo participants' entry records are
complete and the indicator dashboard shows its breakdowns.

The extra fields are drawn from a generator seeded by the client's name, not from
``seed_demo``'s own, so the rest of the demo data stays as it was."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from kernel.services import save_with_history

from ..models import Country, LabourMarketStatus, Settlement, TargetGroup

# Demo values for the demo programmes' settlements (degree of urbanisation, simplified): the
# villages and small towns are rural, the towns and the city are not.
SETTLEMENTS = [
    (Country.HUNGARY, "Ózd", False),
    (Country.HUNGARY, "Putnok", True),
    (Country.HUNGARY, "Sajószentpéter", False),
    (Country.HUNGARY, "Kazincbarcika", False),
    (Country.HUNGARY, "Edelény", True),
    (Country.HUNGARY, "Miskolc", False),
    (Country.SLOVAKIA, "Tornaľa", False),
    (Country.SLOVAKIA, "Kráľ", True),
    (Country.SLOVAKIA, "Gemer", True),
    (Country.SLOVAKIA, "Včelince", True),
]


def seed_settlements() -> int:
    """The settlement list, once (safe to run again). Answers how many rows it made."""
    made = 0
    for country, name, rural in SETTLEMENTS:
        if not Settlement.objects.filter(country=country, name=name).exists():
            row = Settlement(country=country, name=name, rural=rural)
            save_with_history(row, user=None, reason="seed_demo.settlement")
            made += 1
    return made


def with_entry_data(data: dict) -> dict:
    """``data`` (a demo client's fields) with the rest of the ESF+ entry fields."""
    rng = random.Random(f"{data['family_name']} {data['given_name']} {data['birth_year']}")
    today = timezone.localdate()
    born = datetime.date(data["birth_year"], 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
    status = data["labour_market_status"]
    since = None
    if status == LabourMarketStatus.LONG_TERM_UNEMPLOYED:
        since = today - datetime.timedelta(days=rng.randint(900, 2500))
    elif status == LabourMarketStatus.UNEMPLOYED:
        since = today - datetime.timedelta(days=rng.randint(120, 700))
    return {
        **data,
        "birth_date": born,
        "unemployed_since": since,
        "third_country_national": rng.random() < 0.02,
        "foreign_origin": rng.random() < 0.05,
        "housing_exclusion": TargetGroup.HOMELESS in data["target_groups"],
    }
