"""``python manage.py seed_demo``: realistic demo data for a laptop demo.

Three programmes made from their templates (``casework/programme_templates/``: the EFOP-1.5.3
consortium around Ózd, the TOP-6.9.1 city mentor programme in Miskolc and the Slovak local
inclusion partnership without health screening), demo staff and about sixty clients whose cases
stand in every stage of the journey. The people and their stories are data files in
``casework/demo/data/``; ``casework.demo.story`` tells each cohort's story through the services.

The demo is dated like a programme fourteen months in: the programmes start on the first of the
month fourteen months ago, and every record, with its history row, is written on the day it is
about (the clock travels there while its service runs).

Idempotent: organisations, programmes and users are found by name, funder code and username;
clients are grouped in cohorts (a mentor's training group), each seeded in one transaction and
recognised by its clients' names. A second run writes nothing; a run after an interrupted one
tops up the missing cohorts.

All demo accounts share a published password, so the command refuses to run with DEBUG off
unless given ``--force``.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from casework.demo.people import client_data, data
from casework.demo.story import CohortStory, Member, World, cohorts, dated
from casework.journey import Stage
from casework.management.seed_entry import seed_settlements, with_entry_data
from casework.models import Case, Client, Organisation, Programme, StaffProfile
from casework.programme_templates import programme_create_from_template, template_get
from casework.roles import Role

SEED = 2026
PASSWORD = "lepes-demo"
URL = "http://127.0.0.1:8000/"
MONTHS_IN = 14


def programme_start(today: datetime.date) -> datetime.date:
    """The first of the month ``MONTHS_IN`` months before ``today``."""
    year, month = divmod(today.year * 12 + today.month - 1 - MONTHS_IN, 12)
    return datetime.date(year, month + 1, 1)


def _create_setup_row(model: type[models.Model], *, reason: str, **fields) -> models.Model:
    """Staff organisations and profiles have no service yet: validate and save them the way the
    services do, with a change reason on the history row."""
    obj = model(**fields)
    obj.full_clean()
    obj._change_reason = reason
    obj.save()
    return obj


class Command(BaseCommand):
    help = (
        "Create demo programmes from their templates, staff (password lepes-demo) and about "
        "sixty cases in every stage. Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DEBUG is off. The demo accounts share a published password.",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a real server. The demo accounts share a published "
                "password. Use --force only on a throw-away database."
            )
        started = time.monotonic()
        master = random.Random(SEED)
        world = self.set_up()
        created = skipped = 0
        names_taken: dict[int, set] = {}  # per organisation: demo names stay unique
        for cohort in cohorts():
            # Names and seeds are drawn for every cohort, seeded or not, so the data does not
            # depend on what a previous run left behind.
            organisation = world.organisations[cohort.organisation]
            country = world.programmes[cohort.programme].country
            taken = names_taken.setdefault(organisation.pk, set())
            members = [
                Member(
                    plot=plot,
                    data=with_entry_data(
                        client_data(
                            master, country=country, settlements=cohort.settlements, taken=taken
                        )
                    ),
                )
                for plot in cohort.plots
            ]
            seed = master.getrandbits(32)
            if self.cohort_exists(organisation, members):
                skipped += 1
                continue
            with transaction.atomic():
                CohortStory(cohort=cohort, members=members, world=world, seed=seed).tell()
            created += 1
        self.summary(world, created=created, skipped=skipped, seconds=time.monotonic() - started)
        call_command("seed_demo_community", force=True, stdout=self.stdout, stderr=self.stderr)

    # -- set-up ---------------------------------------------------------------------------------

    def set_up(self) -> World:
        """The staff's organisations and accounts, then the programmes from their templates by
        a programme admin of each consortium, all dated on the programmes' first day."""
        self._password = ""
        setup = data("staff")
        start = programme_start(timezone.localdate())
        with transaction.atomic(), dated(start):
            seed_settlements()  # before the clients: their entry records read the rural flag
            organisations = {
                key: self.organisation(name) for key, name in setup["organisations"].items()
            }
            for spec in setup["staff"]:
                self.staff_member(spec, organisations[spec["organisation"]])
            users = self.users(setup["staff"])
            programmes = {}
            for key, spec in setup["programmes"].items():
                template = template_get(spec["template"])
                programme = Programme.objects.filter(funder_code=template.funder_code).first()
                programmes[key] = programme or programme_create_from_template(
                    user=users[spec["admin"]],
                    template_key=template.key,
                    data={"starts_on": start},
                )
        # Fresh instances: permission and role caches start empty.
        return World(
            organisations=organisations, programmes=programmes, users=self.users(setup["staff"])
        )

    def users(self, staff: list[dict]) -> dict:
        usernames = [spec["username"] for spec in staff]
        users = get_user_model().objects.filter(username__in=usernames)
        return {user.username: user for user in users.select_related("staff_profile")}

    def organisation(self, name: str) -> Organisation:
        """A staff member's organisation, as the programme templates describe it."""
        found = Organisation.objects.filter(name=name).first()
        if found is not None:
            return found
        for key in {spec["template"] for spec in data("staff")["programmes"].values()}:
            for partner in template_get(key).partners:
                if partner.name == name:
                    return _create_setup_row(
                        Organisation,
                        reason="seed_demo.organisation",
                        name=name,
                        kind=partner.kind,
                        settlement=partner.settlement,
                    )
        raise CommandError(f"{name} is a partner of none of the demo programmes' templates.")

    def staff_member(self, spec: dict, organisation: Organisation):
        User = get_user_model()
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            if not self._password:
                # Hashed once: the demo accounts share the password anyway.
                self._password = make_password(PASSWORD)
            user = User.objects.create(
                username=spec["username"],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                email=f"{spec['username']}@demo.lepes.invalid",
                password=self._password,
            )
        try:
            group = Group.objects.get(name=spec["role"])
        except Group.DoesNotExist:
            raise CommandError("The role groups are missing: run `manage.py migrate`.") from None
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        profile = StaffProfile.objects.filter(user=user).first()
        if profile is None:
            _create_setup_row(
                StaffProfile,
                reason="seed_demo.staff_profile",
                user=user,
                organisation=organisation,
                language=spec.get("language", "hu"),
            )
        elif profile.organisation_id != organisation.pk and spec["role"] != Role.PROGRAMME_ADMIN:
            raise CommandError(
                f"User {spec['username']} exists but works for {profile.organisation}, not "
                f"{organisation}: the demo cases need them there."
            )
        return user

    def cohort_exists(self, organisation: Organisation, members: list[Member]) -> bool:
        names = [(m.data["family_name"], m.data["given_name"]) for m in members]
        query = models.Q(pk__in=[])
        for family, given in names:
            query |= models.Q(family_name=family, given_name=given)
        found = Client.objects.filter(query, organisation=organisation).count()
        if found and found < len(names):
            self.stderr.write(
                f"Some demo clients of {organisation} exist but not all ({found}/{len(names)}): "
                "that cohort is left as it is."
            )
        return found > 0

    # -- report ---------------------------------------------------------------------------------

    def summary(self, world: World, *, created: int, skipped: int, seconds: float) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo data ready in {seconds:.1f} s: {created} cohort(s) of clients seeded, "
                f"{skipped} already present."
            )
        )
        columns = [
            (spec["label"], world.programmes[key])
            for key, spec in data("staff")["programmes"].items()
        ]
        counts = Counter(
            Case.objects.filter(programme__in=[p for _label, p in columns]).values_list(
                "programme_id", "stage"
            )
        )
        out.write("")
        out.write(f"{'Cases':<12}" + "".join(f"{label:>11}" for label, _p in columns) + "  total")
        for stage in [*Stage.active(), Stage.SUSPENDED, Stage.CLOSED, ""]:
            stages = [stage] if stage else Stage.values
            row = [sum(counts[(p.pk, s)] for s in stages) for _label, p in columns]
            out.write(f"{stage or 'all':<12}" + "".join(f"{n:>11}" for n in row) + f"{sum(row):>7}")
        for label, programme in columns:
            out.write(f"  {label}: {programme} (since {programme.starts_on})")
        out.write("")
        out.write(f"Staff accounts, all with the password: {PASSWORD}")
        out.write(
            self.style.WARNING(
                "DEMO ONLY: a published password. Never seed a server that holds real client data."
            )
        )
        for spec in data("staff")["staff"]:
            user = world.users[spec["username"]]
            profile = getattr(user, "staff_profile", None)
            # Hungarian order (family name first) for Hungarian staff.
            name = (
                f"{user.last_name} {user.first_name}"
                if spec.get("language", "hu") == "hu"
                else f"{user.first_name} {user.last_name}"
            )
            out.write(
                f"  {spec['username']:<15}{name:<18}{Role(spec['role']).label!s:<23}"
                f"{profile.organisation if profile else ''}"
            )
        out.write("")
        out.write(f"Run `make run` (or `python manage.py runserver`) and open {URL}")
