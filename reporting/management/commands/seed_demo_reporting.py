"""``manage.py seed_demo_reporting``: the demo programmes' committed targets, and the forums of
the EFOP consortium with their attendance sheets, so the indicator dashboard shows real
progress on ``make run``. Runs after ``seed_demo`` (which it needs) and, like it, is safe to run
again: targets are set, not added, and the forums are made once.

Everything goes through the services, as the demo users who would do it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casework.models import Programme
from community import services as community
from community.models import CommunityEvent
from reporting.services import target_set

# What each demo programme committed to (funder code -> indicator -> value).
TARGETS = {
    "EFOP-1.5.3-16-2017-00062": {
        "participants": 120,
        "screenings": 80,
        "placements": 40,
        "counselling_hours": 600,
        "forums": 18,
        "forum_locations": 6,
        "event_attendance": 684,
    },
    "TOP-6.9.1-16-MI1-2017-00002": {"participants": 60, "placements": 20},
    "LPSZ-RS-2024-017": {"participants": 40, "events": 12},
}

# The EFOP forums held so far: three at each of six settlements are promised; these are the
# first nine, each with its attendance sheet of named guests (mayors, minority
# self-governments, the labour office).
FORUMS = [
    ("Ózd", 41),
    ("Putnok", 36),
    ("Sajószentpéter", 39),
    ("Kazincbarcika", 44),
    ("Edelény", 35),
    ("Ózd", 38),
    ("Putnok", 40),
    ("Sajószentpéter", 33),
    ("Ózd", 42),
]


class Command(BaseCommand):
    help = "Targets and forums for the demo programmes (after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed with DEBUG off.")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like a real server (use --force).")
        users = get_user_model().objects
        admin = users.filter(username="admin").first()
        worker = users.filter(username="worker").first()
        if admin is None or worker is None:
            raise CommandError("Run manage.py seed_demo first: its staff set these up.")
        set_count = 0
        for funder_code, targets in TARGETS.items():
            programme = Programme.objects.filter(funder_code=funder_code).first()
            if (
                programme is None
                or not programme.organisations.filter(
                    pk=admin.staff_profile.organisation_id
                ).exists()
            ):
                continue
            for indicator, value in targets.items():
                target_set(
                    user=admin,
                    programme_id=programme.pk,
                    indicator=indicator,
                    value=value,
                    deadline=programme.ends_on,
                )
                set_count += 1
        efop = Programme.objects.filter(funder_code="EFOP-1.5.3-16-2017-00062").first()
        made = 0
        if (
            efop is not None
            and not CommunityEvent.objects.filter(programme=efop, kind="forum").exists()
        ):
            today = datetime.date.today()
            for number, (settlement, guests) in enumerate(FORUMS, start=1):
                held_on = max(efop.starts_on, today - datetime.timedelta(days=30 * (10 - number)))
                event = community.event_create(
                    user=worker,
                    programme_id=efop.pk,
                    kind="forum",
                    title=f"Koordinációs fórum {number}. – {settlement}",
                    settlement=settlement,
                    held_on=held_on,
                )
                community.event_record_attendance(
                    user=worker,
                    event_id=event.pk,
                    client_ids=[],
                    guests=[(f"Résztvevő {number}/{n}", settlement) for n in range(1, guests + 1)],
                )
                made += 1
        self.stdout.write(f"reporting demo: {set_count} targets set, {made} forums recorded")
