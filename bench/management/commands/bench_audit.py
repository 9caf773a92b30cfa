"""``python manage.py bench_audit``: how fast are the audit pages on a long history?

Not a test: it prints timings. Works in a throwaway database (``test_<name>`` on PostgreSQL, a
file in var/ on SQLite), created, migrated and dropped by the command, so it never touches real
data. Generated history is bulk-inserted and chained (``bench.audit``).

    manage.py bench_audit                        SQLite: a 5,000-row timeline, a 100,000-row list
    DATABASE_URL=postgres://... manage.py bench_audit --large
                                                 PostgreSQL: the list over 1,000,000 history rows

Bounded in time: generation stops early when ``--budget`` seconds are spent (the sizes reached
are printed), and every measurement is a handful of requests.
"""

from __future__ import annotations

import datetime
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, connections
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)
from django.urls import reverse
from django.utils import timezone

import privacy
from privacy import services as privacy_services

LARGE = 1_000_000


class Command(BaseCommand):
    help = "Benchmark the audit timeline and the organisation-wide audit list."

    def add_arguments(self, parser):
        parser.add_argument("--timeline-rows", type=int, default=5000)
        parser.add_argument("--list-rows", type=int, default=None)
        parser.add_argument(
            "--large", action="store_true", help=f"{LARGE:,} rows for the list (PostgreSQL)"
        )
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--budget", type=float, default=600, help="seconds of generation")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
        parser.add_argument(
            "--reuse", action="store_true", help="only measure, on a database kept by --keep"
        )

    def handle(
        self, *args, timeline_rows, list_rows, large, repeat, budget, keep, reuse, **options
    ):
        vendor = connection.vendor
        if list_rows is None:
            list_rows = LARGE if large else 100_000
        if vendor == "sqlite":
            name = settings.BASE_DIR / "var" / "bench-audit.sqlite3"
            connection.settings_dict.setdefault("TEST", {})["NAME"] = str(name)
        if reuse:
            connection.close()
            connection.settings_dict["NAME"] = connection.creation._get_test_db_name()
            setup_test_environment(debug=False)
            try:
                self.measure_all(*_existing_world(), repeat)
            finally:
                teardown_test_environment()
            return
        self.out(f"database: {vendor}; timeline rows {timeline_rows:,}; list rows {list_rows:,}")
        setup_test_environment(debug=False)
        started = time.monotonic()
        old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        self.out(f"throwaway database ready in {time.monotonic() - started:.1f} s")
        try:
            self.run(timeline_rows, list_rows, repeat, budget)
        finally:
            if keep:
                self.out(f"kept: {connections['default'].settings_dict['NAME']}")
            else:
                teardown_databases(old, verbosity=0)
            teardown_test_environment()

    def out(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    # ----------------------------------------------------------------------------------------

    def run(self, timeline_rows: int, list_rows: int, repeat: int, budget: float) -> None:

        from audit import selectors
        from bench import audit as bench

        deadline = time.monotonic() + budget
        world = _world()
        started = time.monotonic()
        case = _journey(world)
        journey_rows = selectors.case_links(case).count()
        self.out(
            f"a real journey through the services: {journey_rows} history rows in "
            f"{time.monotonic() - started:.2f} s"
        )
        self.write_cost(world)

        started = time.monotonic()
        grown = _grow_bounded(
            lambda n: bench.grow(
                bench.templates_for_case(case),
                count=n,
                user_ids=[world["mentor"].pk, world["worker"].pk],
                start=_later(),
            ),
            max(0, timeline_rows - journey_rows),
            deadline,
        )
        total = selectors.case_links(case).count()
        self.out(
            f"timeline: {grown:,} rows generated in {time.monotonic() - started:.1f} s; "
            f"the case has {total:,} history rows"
        )

        started = time.monotonic()
        per_case = 50
        made = 0
        for organisation in (world["org"], world["other_org"]):
            share = list_rows // 2
            made += _grow_bounded(
                lambda n, organisation=organisation: bench.synthetic_cases(
                    organisation=organisation,
                    programme=world["programme"],
                    social_worker=world["worker"],
                    user_ids=[world["worker"].pk, world["mentor"].pk, world["supervisor"].pk],
                    cases=max(1, n // per_case),
                    rows_per_case=per_case,
                    start=_later(),
                ),
                share,
                deadline,
                step=20_000,
            )
        from audit.models import ChainLink

        self.out(
            f"list: {made:,} rows generated in {time.monotonic() - started:.1f} s; "
            f"{ChainLink.objects.count():,} history rows in all, "
            f"{ChainLink.objects.filter(organisation_id=world['org'].pk).count():,} "
            "in the supervisor's organisation"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.measure_all(world, case, repeat)

    def measure_all(self, world, case, repeat: int) -> None:
        from django.test import Client

        from audit import selectors, verify

        total = selectors.case_links(case).count()
        browser = Client()
        browser.force_login(world["supervisor"])
        timeline = reverse("audit:case_timeline", args=[case.pk])
        links = selectors.case_links(case).order_by("-history_date", "-id")
        middle = links[total // 2]
        deep = selectors.Cursor(middle.history_date, middle.id).token
        self.measure(browser, "timeline, first page", timeline, repeat)
        self.measure(
            browser, f"timeline, page at entry {total // 2:,}", f"{timeline}?before={deep}", repeat
        )
        self.measure(
            browser, "timeline, referrals only", f"{timeline}?record_type=referral", repeat
        )
        self.measure(
            browser, "timeline, one user's changes", f"{timeline}?user={world['mentor'].pk}", repeat
        )
        listing = reverse("audit:organisation_list")
        org_links = selectors.organisation_links(user=world["supervisor"]).order_by(
            "-history_date", "-id"
        )
        middle = org_links[org_links.count() // 2]
        deep = selectors.Cursor(middle.history_date, middle.id).token
        self.measure(browser, "audit list, first page", listing, repeat)
        self.measure(browser, "audit list, page in the middle", f"{listing}?before={deep}", repeat)
        self.measure(
            browser,
            "audit list, user + record type + stage",
            f"{listing}?user={world['worker'].pk}&record_type=case&stage=training",
            repeat,
        )
        self.measure(
            browser,
            "audit list, one week ago",
            f"{listing}?date_to={(timezone.localdate() - datetime.timedelta(days=7))}",
            repeat,
        )
        started = time.monotonic()
        response = browser.get(reverse("audit:case_export_json", args=[case.pk]))
        size = sum(len(chunk) for chunk in response.streaming_content)
        self.out(
            f"{'export JSON of the case':40} {time.monotonic() - started:8.3f} s "
            f"({size / 1e6:.1f} MB)"
        )

        report = verify.verify()
        rate = report.rows / report.seconds if report.seconds else 0
        self.out(
            f"{'verify_audit, whole database':40} {report.seconds:8.2f} s "
            f"({report.rows:,} rows, {report.chains:,} chains, {rate:,.0f} rows/s, "
            f"{'OK' if report.ok else f'{len(report.problems)} problems'})"
        )

    def measure(self, browser, label: str, url: str, repeat: int) -> None:
        from django.test.utils import CaptureQueriesContext

        timings = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = browser.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured.captured_queries)
        self.out(
            f"{label:40} median {statistics.median(timings) * 1000:7.1f} ms, "
            f"max {max(timings) * 1000:7.1f} ms, {queries} queries"
        )

    def write_cost(self, world) -> None:
        """What chaining adds to a service write."""
        from simple_history.signals import post_create_historical_record

        from audit import chain
        from casework import services

        client_id = world["client_id"]

        def writes(n):
            started = time.perf_counter()
            for i in range(n):
                services.client_update(
                    user=world["worker"], client_id=client_id, data={"phone": f"+36 {i}"}
                )
            return (time.perf_counter() - started) / n * 1000

        writes(20)  # warm up
        chained, plain = [], []
        for _round in range(4):  # interleaved, so that drift in the machine hits both
            chained.append(writes(50))
            post_create_historical_record.disconnect(dispatch_uid="audit.chain")
            try:
                plain.append(writes(50))
            finally:
                post_create_historical_record.connect(
                    chain.on_history_row, dispatch_uid="audit.chain"
                )
        with_chain, without = statistics.median(chained), statistics.median(plain)
        # The unchained rows just written are adopted so that verify passes at the end.
        chain.adopt_unchained()
        self.out(
            f"{'one service write (client_update)':40} {with_chain:7.2f} ms chained, "
            f"{without:7.2f} ms without the chain"
        )


def _existing_world():
    from django.contrib.auth import get_user_model

    from casework.models import Case

    users = get_user_model().objects.filter(username__startswith="bench-")
    world = {user.username.removeprefix("bench-"): user for user in users}
    case = Case.objects.filter(client__family_name="Kovács").order_by("id").first()
    return world, case


def _later() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=1)


def _grow_bounded(grow, count: int, deadline: float, step: int = 5000) -> int:
    done = 0
    while done < count and time.monotonic() < deadline:
        done += grow(min(step, count - done))
    return done


def _world() -> dict:
    """A programme with two organisations and their staff, written as seed_demo does."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from casework.models import (
        ConsortiumMembership,
        ConsortiumRole,
        Organisation,
        OrganisationKind,
        Programme,
        StaffProfile,
    )
    from casework.roles import Role

    def save(obj):
        obj._change_reason = "bench.setup"
        obj.save()
        return obj

    programme = save(
        Programme(
            name="Bench programme",
            funder_code="BENCH-1",
            country="HU",
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2028, 12, 31),
            attendance_threshold=2,
            planned_sessions=3,
        )
    )
    org = save(
        Organisation(
            name="Bench municipality", kind=OrganisationKind.MUNICIPALITY, settlement="Ózd"
        )
    )
    other = save(Organisation(name="Bench NGO", kind=OrganisationKind.NGO, settlement="Eger"))
    office = save(
        Organisation(
            name="Bench labour office", kind=OrganisationKind.LABOUR_OFFICE, settlement="Ózd"
        )
    )
    for organisation, role in (
        (org, ConsortiumRole.LEAD),
        (other, ConsortiumRole.MEMBER),
        (office, ConsortiumRole.PARTNER),
    ):
        save(ConsortiumMembership(programme=programme, organisation=organisation, role=role))
    users = {}
    for username, role, organisation in (
        ("worker", Role.SOCIAL_WORKER, org),
        ("mentor", Role.MENTOR, org),
        ("supervisor", Role.SUPERVISOR, org),
        ("supervisor2", Role.SUPERVISOR, org),
    ):
        user = get_user_model().objects.create_user(
            username=f"bench-{username}", first_name="Bench", last_name=username.title()
        )
        user.groups.add(Group.objects.get(name=role))
        save(StaffProfile(user=user, organisation=organisation, language="en"))
        users[username] = user
    return {"programme": programme, "org": org, "other_org": other, "office": office, **users}


def _journey(world):
    """One case from intake to closure, through the real services."""
    from casework import services
    from casework.journey import Stage
    from casework.models import Case, ExitOutcome, FollowUpStatus, GoalArea, ScreeningStatus

    today = timezone.localdate()
    worker, mentor, supervisor = world["worker"], world["mentor"], world["supervisor"]
    client = services.client_register(
        user=worker,
        data={
            "family_name": "Kovács",
            "given_name": "Anna",
            "birth_year": 1990,
            "gender": "female",
            "labour_market_status": "long_term_unemployed",
            "education_level": "isced_2",
            "household": "single_adult_with_children",
            "target_groups": ["single_parent"],
        },
    )
    world["client_id"] = client.pk
    case = services.case_open(user=worker, client_id=client.pk, programme_id=world["programme"].pk)
    services.case_record_consent(user=worker, case_id=case.pk, given_on=today)
    services.case_assign_mentor(user=worker, case_id=case.pk, mentor_id=mentor.pk)
    services.case_advance(user=worker, case_id=case.pk, from_stage=Stage.INTAKE)
    services.plan_save(user=mentor, case_id=case.pk, summary="Needs a job", client_agreed_on=today)
    services.goal_add(user=mentor, case_id=case.pk, area=GoalArea.EMPLOYMENT, description="Work")
    services.plan_submit(user=mentor, case_id=case.pk)
    services.plan_approve(user=supervisor, case_id=case.pk)
    for n in range(2):
        services.session_record(
            user=mentor,
            kind="training",
            format="individual",
            topic=f"Skills {n}",
            held_on=today,
            attendance={case.pk: True},
        )
    privacy_services.consent_record(
        user=worker,
        case=case,
        purpose=privacy.Purpose.PARTNER_SHARING,
        partner=world["office"],
        given_on=today,
    )
    services.referral_create(
        user=mentor, case_id=case.pk, partner_id=world["office"].pk, purpose="Job fair"
    )
    services.case_advance(user=mentor, case_id=case.pk, from_stage=Stage.TRAINING)
    services.screening_record(
        user=mentor, case_id=case.pk, status=ScreeningStatus.DONE, screened_on=today
    )
    services.case_advance(user=mentor, case_id=case.pk, from_stage=Stage.SCREENING)
    services.placement_save(
        user=mentor,
        case_id=case.pk,
        employer="Ózdi Kft.",
        contract_type="fixed_term",
        starts_on=today,
        exit_outcome=ExitOutcome.EMPLOYED,
    )
    services.case_advance(user=mentor, case_id=case.pk, from_stage=Stage.PLACEMENT)
    case = Case.objects.get(pk=case.pk)
    for follow_up in case.follow_ups.order_by("due_on"):
        services.follow_up_record(
            user=mentor,
            follow_up_id=follow_up.pk,
            status=FollowUpStatus.REACHED,
            contacted_on=today,
            situation=ExitOutcome.EMPLOYED,
        )
    return Case.objects.get(pk=case.pk)
