"""Programme-scale data in minutes: clients, cases in a realistic mix of stages, everything the
stages imply (plans, goals, group sessions and attendance, screenings, placements, follow-ups,
referrals), the Viewflow process and tasks of every case, notifications, the history rows and,
when the audit app is installed, its chain heads and links.

This bypasses the services on purpose (DESIGN.md rule 1 is about the application, not about a
load generator): rows are written straight into the tables, live and historical alike, with
``COPY`` on PostgreSQL and ``executemany`` on SQLite, and the bulk of the history (everything
beyond the rows that describe each case's journey) is multiplied inside the database with
``INSERT ... SELECT``. Audit chain links get placeholder digests and hashes, so ``verify_audit``
fails on a generated database: use it only on throwaway databases (``manage.py bench`` creates
its own; ``manage.py generate_load`` refuses to run with DEBUG off unless forced).

The flow rows mirror what ``workflows.flows.CaseJourneyFlow`` writes (start, the ``route``
switch after it, the human tasks one after another, the open task of the current stage,
cancelled tasks and process for suspended and early-closed cases, an end task for completed
ones), so the services can go on from any generated case: ``manage.py bench`` advances
generated cases through the real service.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import functools
import json
import math
import operator
import queue
import random
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from casework.journey import Stage
from casework.models import (
    Attendance,
    Case,
    Client,
    ConsortiumMembership,
    ConsortiumRole,
    Country,
    DevelopmentPlan,
    FollowUp,
    Goal,
    HealthScreening,
    Organisation,
    OrganisationKind,
    Placement,
    Programme,
    Referral,
    Session,
    StaffProfile,
)
from casework.roles import Role
from casework.search import folded
from notifications.models import Notification
from reporting import kept
from reporting.models import AttendedDayMinutes, AttendedMinutes
from workflows import open_tasks
from workflows.models import OpenTask

# Where the cases of a programme in full swing stand (shares of all cases).
STAGE_MIX: tuple[tuple[str, float], ...] = (
    (Stage.INTAKE, 0.07),
    (Stage.PLANNING, 0.11),
    (Stage.TRAINING, 0.22),
    (Stage.SCREENING, 0.08),
    (Stage.PLACEMENT, 0.12),
    (Stage.FOLLOW_UP, 0.12),
    (Stage.SUSPENDED, 0.05),
    (Stage.CLOSED, 0.23),
)
CASES_PER_ORGANISATION = 2000
CASES_PER_MENTOR = 80
CASES_PER_SOCIAL_WORKER = 250
SUPERVISORS_PER_ORGANISATION = 2
GROUP_SIZE = 8  # clients in one group training session
HISTORY_PER_CASE = 100  # default history rows per case (10,000,000 for 100,000 cases)
FLOW = "workflows/flows.CaseJourneyFlow"
PASSWORD = "bench-password"

# How the history beyond each case's own journey is spread over the tracked models, and the
# harmless column each extra row changes (an expression over the copied row ``h`` and the
# multiplier ``n.n``, valid on PostgreSQL and SQLite alike).
TOP_UP: tuple[tuple[type[models.Model], float, str, str, str], ...] = (
    # model, weight, column, expression, change reason
    (Case, 0.20, "closure_reason", "h.closure_reason", "case.record_consent"),
    (Client, 0.12, "phone", "'+36 30 ' || n.n", "client.update"),
    (Attendance, 0.28, "present", "(n.n %% 2 = 0)", "attendance.correct"),
    (DevelopmentPlan, 0.10, "review_comment", "'Comment ' || n.n", "plan.update"),
    (Goal, 0.10, "achieved", "(n.n %% 2 = 1)", "goal.mark_achieved"),
    (Session, 0.10, "topic", "'Session topic, revision ' || n.n", "session.record"),
    (FollowUp, 0.05, "notes", "'Called, note ' || n.n", "follow_up.record"),
    (Placement, 0.05, "employer", "'Employer ' || n.n", "placement.record"),
)

FAMILY_NAMES = (
    "Kovács",
    "Horváth",
    "Szabó",
    "Tóth",
    "Varga",
    "Kiss",
    "Molnár",
    "Németh",
    "Farkas",
    "Balogh",
    "Papp",
    "Lakatos",
    "Takács",
    "Juhász",
    "Oláh",
    "Mészáros",
    "Rácz",
    "Fekete",
    "Sárközi",
    "Bari",
    "Novák",
    "Kováčová",
    "Horváthová",
    "Baláž",
    "Gažo",
    "Mirga",
    "Pompa",
    "Kaleja",
)
GIVEN_NAMES = (
    "Anna",
    "Erzsébet",
    "Katalin",
    "Mária",
    "Zsuzsanna",
    "Éva",
    "Tünde",
    "Szilvia",
    "László",
    "István",
    "József",
    "Zoltán",
    "Sándor",
    "Gábor",
    "Attila",
    "Tibor",
    "Ján",
    "Peter",
    "Jana",
    "Marek",
    "Zuzana",
    "Milan",
    "Lucia",
    "Roman",
)
SETTLEMENTS_HU = ("Ózd", "Miskolc", "Kazincbarcika", "Putnok", "Sajószentpéter", "Edelény")
SETTLEMENTS_SK = ("Rimavská Sobota", "Lučenec", "Rožňava", "Revúca", "Tornaľa")


@dataclass
class Summary:
    """What ``generate`` wrote: row counts per table, the staff and organisations it made (for
    the benchmark to pick its users from) and how long it took."""

    tag: str
    clients: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    organisations: list[int] = field(default_factory=list)
    staff: dict[str, list[int]] = field(default_factory=dict)  # role -> user ids

    @property
    def history_rows(self) -> int:
        return sum(n for table, n in self.rows.items() if "_historical" in table)

    def as_json(self) -> dict:
        return {
            "tag": self.tag,
            "clients": self.clients,
            "rows": self.rows,
            "seconds": self.seconds,
            "organisations": self.organisations,
            "staff": self.staff,
        }


# --------------------------------------------------------------------------------------------
# Writing rows in bulk
# --------------------------------------------------------------------------------------------


class Table:
    """Rows for one table, with ids allocated here (no RETURNING round trips)."""

    def __init__(self, model: type[models.Model], first_id: int):
        self.model = model
        self.name = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.pk = model._meta.pk.attname
        self.attnames = [f.attname for f in self.fields]
        defaults = {}
        for f in self.fields:
            default = f.get_default()
            defaults[f.attname] = _jsonable(default) if isinstance(f, models.JSONField) else default
        self.defaults = defaults
        self.json_columns = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.datetime_positions = [
            i for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)
        ]
        self.getter = operator.itemgetter(*self.attnames)
        self.next_id = first_id
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, values: dict) -> int:
        if values.get(self.pk) is None:
            values[self.pk] = self.next_id
            self.next_id += 1
        for name in self.json_columns:
            if name in values and not isinstance(values[name], str):
                values[name] = _jsonable(values[name])
        row = self.defaults.copy()
        row.update(values)
        self.rows.append(self.getter(row))
        return values[self.pk]


def _jsonable(value):
    return json.dumps(value) if not isinstance(value, str) or value == "" else value


class Loader:
    """COPY on PostgreSQL, executemany on SQLite; the caller holds the transaction."""

    def __init__(self):
        self.vendor = connection.vendor
        if self.vendor not in ("postgresql", "sqlite"):
            raise RuntimeError(f"generate_load supports PostgreSQL and SQLite, not {self.vendor}")

    def flush(self, table: Table) -> None:
        """Write ``table``'s pending rows now, on this thread's connection."""
        rows, table.rows = table.rows, []
        self.write(table, rows)
        table.written += len(rows)

    def write(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        connection.ensure_connection()
        columns = ", ".join(connection.ops.quote_name(f.column) for f in table.fields)
        name = connection.ops.quote_name(table.name)
        raw = connection.connection
        if self.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            positions = table.datetime_positions
            if positions:
                rows = [_sqlite_row(row, positions) for row in rows]
            marks = ", ".join("?" * len(table.fields))
            raw.cursor().executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", rows)


class BackgroundLoader:
    """Writes batches on a thread of its own (its own connection, one transaction per batch)
    while the caller generates the next batch: the database ingests while Python computes."""

    def __init__(self, loader: Loader):
        self.loader = loader
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-loader", daemon=True)
        self.thread.start()

    def submit(self, batch: list[tuple[Table, list[tuple]]]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while True:
                batch = self.queue.get()
                if batch is None:
                    return
                if self.error is not None:
                    continue
                try:
                    with transaction.atomic():
                        for table, rows in batch:
                            self.loader.write(table, rows)
                except BaseException as error:  # reported by submit() / finish()
                    self.error = error
        finally:
            connection.close()


# Database connections working at once in the bulk phases; ``generate(threads=False)`` makes it
# 1 (everything on the caller's connection and transaction, for tests).
WORKERS = {"n": 2}


def parallel(jobs: list[Callable[[], None]], workers: int | None = None) -> None:
    """Run ``jobs`` (each on its own thread and database connection), ``workers`` at a time:
    the work is inside the database, so two server processes use both cores."""
    workers = WORKERS["n"] if workers is None else workers
    if connection.vendor != "postgresql" or workers < 2:
        for job in jobs:
            job()
        return

    def run(job):
        try:
            job()
        finally:
            connection.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(run, job) for job in jobs]:
            future.result()


def _sqlite_row(row: tuple, positions: list[int]) -> tuple:
    # Django keeps SQLite datetimes as naive UTC text.
    values = list(row)
    for i in positions:
        value = values[i]
        if value is not None:
            values[i] = value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    return tuple(values)


def _next_id(model: type[models.Model]) -> int:
    top = model._default_manager.aggregate(top=models.Max(model._meta.pk.attname))["top"]
    return (top or 0) + 1


@functools.cache
def _history(model: type[models.Model]) -> type[models.Model]:
    return model.history.model


# --------------------------------------------------------------------------------------------
# The world: programmes, organisations, staff
# --------------------------------------------------------------------------------------------


@dataclass
class Org:
    organisation: Organisation
    programme: Programme
    labour_office: Organisation
    health_office: Organisation
    social_workers: list[int]
    mentors: list[int]
    supervisors: list[int]
    language: str


def _world(*, clients: int, tag: str, rng: random.Random) -> list[Org]:
    today = timezone.localdate()
    programmes = []
    for n, (country, name, screening) in enumerate(
        (
            (Country.HUNGARY, "Humán szolgáltatások a felzárkózásért", True),
            (Country.HUNGARY, "Mentorprogram", True),
            (Country.SLOVAKIA, "Miestne partnerstvo sociálnej inklúzie", False),
        )
    ):
        programmes.append(
            Programme(
                name=f"{name} ({tag})",
                funder_code=f"BENCH-{tag}-{n + 1}",
                country=country,
                starts_on=today - datetime.timedelta(days=3 * 365),
                ends_on=today + datetime.timedelta(days=365),
                uses_screening=screening,
                attendance_threshold=9,
                planned_sessions=10,
            )
        )
    Programme.objects.bulk_create(programmes)
    offices = []
    for programme in programmes:
        for kind, label in (
            (OrganisationKind.LABOUR_OFFICE, "Labour office"),
            (OrganisationKind.HEALTH_OFFICE, "Health-promotion office"),
        ):
            offices.append(
                Organisation(name=f"{label} {programme.funder_code}", kind=kind, settlement="Ózd")
            )
    Organisation.objects.bulk_create(offices)
    count = max(2, math.ceil(clients / CASES_PER_ORGANISATION))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench organisation {tag}-{n + 1:03d}",
                kind=OrganisationKind.MUNICIPALITY if n % 2 == 0 else OrganisationKind.NGO,
                settlement=SETTLEMENTS_HU[n % len(SETTLEMENTS_HU)],
            )
            for n in range(count)
        ]
    )
    memberships = []
    for n, organisation in enumerate(organisations):
        programme = programmes[n % len(programmes)]
        role = ConsortiumRole.LEAD if n < len(programmes) else ConsortiumRole.MEMBER
        memberships.append(
            ConsortiumMembership(programme=programme, organisation=organisation, role=role)
        )
    for n, office in enumerate(offices):
        memberships.append(
            ConsortiumMembership(
                programme=programmes[n // 2], organisation=office, role=ConsortiumRole.PARTNER
            )
        )
    ConsortiumMembership.objects.bulk_create(memberships)

    per_org = clients / count
    user_model = get_user_model()
    password = make_password(PASSWORD)
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    users, plan = [], []
    for n in range(len(organisations)):
        sizes = {
            Role.SOCIAL_WORKER: max(1, round(per_org / CASES_PER_SOCIAL_WORKER)),
            Role.MENTOR: max(1, round(per_org / CASES_PER_MENTOR)),
            Role.SUPERVISOR: SUPERVISORS_PER_ORGANISATION,
        }
        for role, size in sizes.items():
            for k in range(size):
                users.append(
                    user_model(
                        username=f"b{tag}-o{n + 1:03d}-{role}-{k + 1:02d}",
                        first_name=rng.choice(GIVEN_NAMES),
                        last_name=rng.choice(FAMILY_NAMES),
                        email=f"{role}{k + 1}.o{n + 1}@bench.invalid",
                        password=password,
                    )
                )
                plan.append((n, role))
    users = user_model.objects.bulk_create(users)
    if users and users[0].pk is None:  # a backend that does not return ids
        by_name = dict(
            user_model.objects.filter(username__startswith=f"b{tag}-").values_list("username", "pk")
        )
        for user in users:
            user.pk = by_name[user.username]
    through = user_model.groups.through
    through.objects.bulk_create(
        [
            through(user_id=u.pk, group_id=groups[role].pk)
            for u, (_, role) in zip(users, plan, strict=True)
        ]
    )
    result = []
    for n, organisation in enumerate(organisations):
        programme = programmes[n % len(programmes)]
        language = "sk" if programme.country == Country.SLOVAKIA else "hu"
        mine = [(u, role) for u, (m, role) in zip(users, plan, strict=True) if m == n]
        result.append(
            Org(
                organisation=organisation,
                programme=programme,
                labour_office=offices[programmes.index(programme) * 2],
                health_office=offices[programmes.index(programme) * 2 + 1],
                social_workers=[u.pk for u, role in mine if role == Role.SOCIAL_WORKER],
                mentors=[u.pk for u, role in mine if role == Role.MENTOR],
                supervisors=[u.pk for u, role in mine if role == Role.SUPERVISOR],
                language=language,
            )
        )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user_id=u.pk, organisation=result[m].organisation, language=result[m].language
            )
            for u, (m, _role) in zip(users, plan, strict=True)
        ]
    )
    return result


# --------------------------------------------------------------------------------------------
# Cases and everything their stage implies
# --------------------------------------------------------------------------------------------

TASK_TITLES = {
    "intake": "Complete the intake",
    "draft_plan": "Draft the development plan",
    "approve_plan": "Approve the development plan",
    "training": "Run the trainings and counselling",
    "screening": "Offer the health screening",
    "placement": "Support the labour-market placement",
    "follow_up": "Follow the client up",
}
STAGE_NODE = {
    Stage.INTAKE: "intake",
    Stage.TRAINING: "training",
    Stage.SCREENING: "screening",
    Stage.PLACEMENT: "placement",
    Stage.FOLLOW_UP: "follow_up",
}


class Generator:
    def __init__(
        self,
        *,
        clients: int,
        seed: int,
        tag: str,
        log: Callable[[str], None],
        screening_ready: int = 0,
        background: bool = True,
    ):
        self.clients = clients
        # Extra cases that can leave screening now (for the transition benchmark).
        self.ready_fraction = min(1.0, screening_ready / clients)
        self.rng = random.Random(seed)
        self.tag = tag
        self.log = log
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.loader = Loader()
        self.background = BackgroundLoader(self.loader) if background else None
        self.case_ct = ContentType.objects.get_for_model(Case)
        tracked = [
            Client,
            Case,
            DevelopmentPlan,
            Goal,
            Session,
            Attendance,
            HealthScreening,
            Placement,
            FollowUp,
            Referral,
        ]
        self.t = {}
        for model in tracked:
            self.t[model] = Table(model, _next_id(model))
            history = _history(model)
            self.t[history] = Table(history, _next_id(history))
        process_model = apps.get_model("viewflow", "Process")
        task_model = apps.get_model("viewflow", "Task")
        self.process_model, self.task_model = process_model, task_model
        self.previous_model = task_model.previous.through
        for model in (process_model, task_model, self.previous_model, Notification):
            self.t[model] = Table(model, _next_id(model))
        self.history_base = {model: self.t[_history(model)].next_id for model in tracked}
        self.first = {model: self.t[model].next_id for model in tracked}

    # -- helpers ----------------------------------------------------------------------------

    def add(self, model, **values) -> int:
        return self.t[model].add(values)

    def history(self, model, live: dict, *, at, kind: str, user: int | None, reason: str) -> None:
        row = dict(live)
        row.update(
            history_date=at, history_type=kind, history_user_id=user, history_change_reason=reason
        )
        self.t[_history(model)].add(row)

    def flush(self) -> None:
        batch = []
        for table in self.t.values():
            if table.rows:
                batch.append((table, table.rows))
                table.written += len(table.rows)
                table.rows = []
        if self.background is None:
            for table, rows in batch:
                self.loader.write(table, rows)
        else:
            self.background.submit(batch)

    def day(self, moment: datetime.datetime) -> datetime.date:
        return moment.astimezone(self.zone).date()

    # -- one organisation's cases -------------------------------------------------------------

    def organisation(self, org: Org, count: int) -> None:
        rng = self.rng
        stages_of = [s for s in org.programme.stages if s != Stage.CLOSED]
        trainees: dict[int, list[tuple[int, int, list[bool], datetime.datetime]]] = defaultdict(
            list
        )
        for n in range(count):
            mentor = org.mentors[n % len(org.mentors)]
            worker = org.social_workers[n % len(org.social_workers)]
            supervisor = org.supervisors[n % len(org.supervisors)]
            status = _pick(rng, STAGE_MIX)
            ready = Stage.SCREENING in stages_of and rng.random() < self.ready_fraction
            if ready:
                status = Stage.SCREENING
            if status == Stage.CLOSED:
                completed = rng.random() < 0.6
                left = stages_of[-1] if completed else rng.choice(stages_of)
            elif status == Stage.SUSPENDED:
                completed, left = False, rng.choice(stages_of)
            else:
                completed = False
                left = (
                    status if status in stages_of else stages_of[stages_of.index(Stage.PLACEMENT)]
                )
            reached = stages_of[: stages_of.index(left) + 1]
            self.case(
                org,
                reached=reached,
                status=status,
                completed=completed,
                worker=worker,
                mentor=mentor,
                supervisor=supervisor,
                trainees=trainees,
                ready=ready,
            )
        self.sessions(org, trainees)

    def case(
        self, org, *, reached, status, completed, worker, mentor, supervisor, trainees, ready=False
    ):
        rng = self.rng
        now = self.now
        opened = now - datetime.timedelta(days=rng.uniform(20, 720))
        span = (now - datetime.timedelta(days=2) - opened) / (len(reached) + 1)
        moments = [opened]
        for _ in reached:
            moments.append(moments[-1] + span * rng.uniform(0.8, 1.0))
        # moments[i]: entering reached[i]; moments[-1]: suspension / closure, if any
        at_intake = reached == [Stage.INTAKE] and status == Stage.INTAKE
        has_mentor = not at_intake or rng.random() < 0.6
        has_consent = not at_intake or rng.random() < 0.7
        country = org.programme.country
        family_name, given_name = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
        client = {
            "organisation_id": org.organisation.pk,
            "family_name": family_name,
            "given_name": given_name,
            # Client.save() keeps these; rows written here bypass it.
            "family_key": folded(family_name),
            "given_key": folded(given_name),
            "birth_year": rng.randint(1965, 2005),
            "gender": rng.choice(("female", "male")),
            "settlement": rng.choice(
                SETTLEMENTS_SK if country == Country.SLOVAKIA else SETTLEMENTS_HU
            ),
            "phone": f"+36 20 {rng.randint(0, 9999999):07d}",
            "labour_market_status": rng.choice(
                ("unemployed", "long_term_unemployed", "inactive", "public_works")
            ),
            "education_level": rng.choice(("isced_0_1", "isced_2", "isced_3_4")),
            "household": rng.choice(
                ("jobless", "jobless_with_children", "single_adult_with_children", "other")
            ),
            "target_groups": json.dumps(
                rng.sample(
                    (
                        "long_term_unemployed",
                        "segregated_settlement",
                        "young_person",
                        "single_parent",
                    ),
                    2,
                )
            ),
            "created_at": opened - datetime.timedelta(minutes=30),
        }
        client_id = client["id"] = self.add(Client, **client)
        self.history(
            Client, client, at=client["created_at"], kind="+", user=worker, reason="client.register"
        )
        sequence = self.t[Case].next_id
        self.t[Case].next_id += 1
        case = {
            "id": sequence,
            "number": f"BENCH-{self.tag}/{sequence:07d}",
            "client_id": client_id,
            "programme_id": org.programme.pk,
            "organisation_id": org.organisation.pk,
            "social_worker_id": worker,
            "mentor_id": None,
            "stage": Stage.INTAKE,
            "suspended_from": "",
            "closed_from": "",
            "consent_given_on": None,
            "outcome": "",
            "closure_reason": "",
            "opened_on": self.day(opened),
            "closed_on": None,
            "stage_changed_at": opened,
        }
        self.history(Case, case, at=opened, kind="+", user=worker, reason="case.open")
        if has_consent:
            case["consent_given_on"] = self.day(opened)
            self.history(
                Case,
                case,
                at=opened + datetime.timedelta(hours=1),
                kind="~",
                user=worker,
                reason="case.record_consent",
            )
        if has_mentor:
            case["mentor_id"] = mentor
            self.history(
                Case,
                case,
                at=opened + datetime.timedelta(hours=2),
                kind="~",
                user=worker,
                reason="case.assign_mentor",
            )

        process_id = self.add(
            self.process_model,
            flow_class=FLOW,
            status="NEW",
            created=opened,
            finished=None,
            data="{}",
            artifact_content_type_id=self.case_ct.pk,
            artifact_object_id=sequence,
        )
        flow = _Flow(self, process_id, case, org, opened)
        flow.add("start", "START", "DONE", opened, finished=opened)
        last_actor = worker
        for i, stage in enumerate(reached):
            entered = moments[i]
            if i > 0:
                case["stage"] = stage
                case["stage_changed_at"] = entered
                actor = (
                    supervisor
                    if reached[i - 1] == Stage.PLANNING
                    else (worker if reached[i - 1] == Stage.INTAKE else mentor)
                )
                self.history(Case, case, at=entered, kind="~", user=actor, reason="case.advance")
                self.notify(
                    worker,
                    "case_stage_changed",
                    f"Case {case['number']} moved to: {stage}",
                    case,
                    None,
                    entered,
                )
                last_actor = actor
            current = i == len(reached) - 1
            leave = moments[i + 1]
            if stage == Stage.PLANNING:
                self.planning(case, flow, entered, leave, mentor, supervisor, current=current)
            else:
                node = STAGE_NODE[stage]
                owner = worker if stage == Stage.INTAKE else mentor
                flow.human(node, owner, entered, None if current else leave)
                if stage == Stage.TRAINING:
                    self.training(case, trainees, mentor, entered, passed=not current, org=org)
                elif stage == Stage.SCREENING:
                    if not current or ready or rng.random() < 0.5:
                        self.screening(case, org, mentor, entered)
                elif stage == Stage.PLACEMENT:
                    self.placement(
                        case, mentor, entered, with_outcome=not current or rng.random() < 0.5
                    )
                elif stage == Stage.FOLLOW_UP:
                    self.follow_ups(case, mentor, entered, done=not current)
        if case["mentor_id"] and rng.random() < 0.15 and len(reached) > 1:
            self.referral(case, org, mentor, moments[1])
        end = moments[-1]
        if status == Stage.CLOSED:
            case["closed_from"] = reached[-1]
            case["closed_on"] = self.day(end)
            case["stage_changed_at"] = end
            case["stage"] = Stage.CLOSED
            if completed:
                case["outcome"] = "completed"
                flow.close_completed(end)
                self.history(Case, case, at=end, kind="~", user=mentor, reason="case.advance")
            else:
                case["outcome"] = rng.choice(("dropped_out", "moved_away", "ineligible", "other"))
                case["closure_reason"] = "Closed early: see the case notes."
                flow.cancel(end)
                self.history(
                    Case, case, at=end, kind="~", user=supervisor, reason="case.close_early"
                )
        elif status == Stage.SUSPENDED:
            case["suspended_from"] = reached[-1]
            case["stage"] = Stage.SUSPENDED
            case["stage_changed_at"] = end
            flow.cancel(end)
            self.history(
                Case, case, at=end, kind="~", user=last_actor, reason="case.suspend: illness"
            )
        self.t[Case].add(case)
        flow.write()

    def planning(self, case, flow, entered, leave, mentor, supervisor, *, current):
        rng = self.rng
        plan = {
            "case_id": case["id"],
            "author_id": mentor,
            "status": "draft",
            "summary": "Strengths: motivated, has a driving licence. "
            "Needs: childcare, digital skills.",
            "client_agreed_on": None,
            "submitted_at": None,
            "approved_by_id": None,
            "approved_at": None,
            "review_comment": "",
        }
        created = entered + datetime.timedelta(days=1)
        plan_id = self.add(DevelopmentPlan, **plan)
        plan["id"] = plan_id
        self.history(DevelopmentPlan, plan, at=created, kind="+", user=mentor, reason="plan.create")
        for k, (area, text) in enumerate(
            (
                ("employment", "Find work within six months"),
                ("education", "Finish the digital skills course"),
            )
        ):
            goal = {
                "plan_id": plan_id,
                "area": area,
                "description": text,
                "target_date": self.day(entered) + datetime.timedelta(days=180),
                "achieved": False,
            }
            goal["id"] = self.add(Goal, **goal)
            self.history(
                Goal,
                goal,
                at=created + datetime.timedelta(minutes=k + 1),
                kind="+",
                user=mentor,
                reason="goal.add",
            )
        submitted = not current or rng.random() < 0.5
        if not submitted:
            flow.human("draft_plan", mentor, entered, None)
            self.t[DevelopmentPlan].rows[-1] = _replace(self.t[DevelopmentPlan], plan)
            return plan_id
        submit_at = entered + (leave - entered) * 0.5
        plan.update(
            status="submitted", client_agreed_on=self.day(submit_at), submitted_at=submit_at
        )
        self.history(
            DevelopmentPlan, plan, at=submit_at, kind="~", user=mentor, reason="plan.submit"
        )
        flow.human("draft_plan", mentor, entered, submit_at)
        if current:
            flow.human("approve_plan", None, submit_at, None, pooled=True)
        else:
            plan.update(status="approved", approved_by_id=supervisor, approved_at=leave)
            self.history(
                DevelopmentPlan, plan, at=leave, kind="~", user=supervisor, reason="plan.approve"
            )
            flow.human("approve_plan", supervisor, submit_at, leave, pooled=True)
            self.notify(
                mentor,
                "plan_approved",
                f"The development plan of case {case['number']} was approved",
                case,
                None,
                leave,
            )
        self.t[DevelopmentPlan].rows[-1] = _replace(self.t[DevelopmentPlan], plan)
        return plan_id

    def training(self, case, trainees, mentor, entered, *, passed, org):
        rng = self.rng
        planned = org.programme.planned_sessions
        threshold = org.programme.attendance_threshold
        if passed:
            held = planned
            present = [True] * planned
            for k in rng.sample(range(planned), planned - threshold):
                present[k] = rng.random() < 0.5
        else:
            held = rng.randint(0, planned - 1)
            present = [rng.random() < 0.85 for _ in range(held)]
        trainees[mentor].append((case["id"], held, present, entered))

    def sessions(self, org: Org, trainees) -> None:
        """Group sessions: each slot of a mentor's training is held for up to GROUP_SIZE clients."""
        for mentor, members in trainees.items():
            slots = max((held for _, held, _, _ in members), default=0)
            for slot in range(slots):
                attending = [m for m in members if m[1] > slot]
                for start in range(0, len(attending), GROUP_SIZE):
                    group = attending[start : start + GROUP_SIZE]
                    first_day = group[0][3] + datetime.timedelta(days=3 + 7 * slot)
                    if first_day > self.now - datetime.timedelta(days=1):
                        first_day = self.now - datetime.timedelta(days=1)
                    session = {
                        "organisation_id": org.organisation.pk,
                        "kind": "counselling" if slot % 3 == 2 else "training",
                        "format": "group" if len(group) > 1 else "individual",
                        "topic": f"Job-search skills {slot + 1}",
                        "held_on": self.day(first_day),
                        "duration_minutes": 90,
                        "facilitator_id": mentor,
                    }
                    session["id"] = self.add(Session, **session)
                    self.history(
                        Session,
                        session,
                        at=first_day,
                        kind="+",
                        user=mentor,
                        reason="session.record",
                    )
                    for case_id, _held, present, _ in group:
                        row = {
                            "session_id": session["id"],
                            "case_id": case_id,
                            "present": present[slot],
                        }
                        row["id"] = self.add(Attendance, **row)
                        self.history(
                            Attendance,
                            row,
                            at=first_day,
                            kind="+",
                            user=mentor,
                            reason="session.record",
                        )

    def screening(self, case, org, mentor, entered):
        rng = self.rng
        done = rng.random() < 0.7
        row = {
            "case_id": case["id"],
            "status": "done" if done else "declined",
            "screened_on": self.day(entered) + datetime.timedelta(days=5),
            "referred_to_id": org.health_office.pk if done and rng.random() < 0.2 else None,
        }
        row["id"] = self.add(HealthScreening, **row)
        self.history(
            HealthScreening,
            row,
            at=entered + datetime.timedelta(days=5),
            kind="+",
            user=mentor,
            reason="screening.record",
        )

    def placement(self, case, mentor, entered, *, with_outcome):
        rng = self.rng
        employed = with_outcome and rng.random() < 0.45
        row = {
            "case_id": case["id"],
            "employer": "Ózdi Kft." if employed else "",
            "contract_type": "fixed_term" if employed else "",
            "starts_on": self.day(entered) + datetime.timedelta(days=10) if employed else None,
            "exit_outcome": (
                "employed" if employed else rng.choice(("job_seeking", "in_education", "inactive"))
            )
            if with_outcome
            else "",
            "exit_recorded_on": self.day(entered) + datetime.timedelta(days=12)
            if with_outcome
            else None,
        }
        row["id"] = self.add(Placement, **row)
        self.history(
            Placement,
            row,
            at=entered + datetime.timedelta(days=12),
            kind="+",
            user=mentor,
            reason="placement.record",
        )

    def follow_ups(self, case, mentor, entered, *, done):
        rng = self.rng
        start = self.day(entered)
        for k, (kind, days) in enumerate((("first", 28), ("second", 182))):
            finished = done or (k == 0 and rng.random() < 0.5)
            reached = rng.random() < 0.7
            row = {
                "case_id": case["id"],
                "kind": kind,
                "due_on": start + datetime.timedelta(days=days),
                "status": ("reached" if reached else "unreachable") if finished else "pending",
                "contacted_on": start + datetime.timedelta(days=days)
                if finished and reached
                else None,
                "situation": "employed" if finished and reached else "",
                "notes": "",
            }
            row["id"] = self.add(FollowUp, **row)
            self.history(
                FollowUp, row, at=entered, kind="+", user=mentor, reason="follow_up.schedule"
            )

    def referral(self, case, org, mentor, moment):
        answered = self.rng.random() < 0.5
        row = {
            "case_id": case["id"],
            "partner_id": org.labour_office.pk,
            "purpose": "Registration as a job-seeker",
            "referred_on": self.day(moment),
            "status": "answered" if answered else "sent",
            "answer": "Registered." if answered else "",
            "answered_on": self.day(moment) + datetime.timedelta(days=7) if answered else None,
        }
        row["id"] = self.add(Referral, **row)
        self.history(Referral, row, at=moment, kind="+", user=mentor, reason="referral.create")

    def notify(self, recipient, event, title, case, task_id, moment) -> None:
        old = moment < self.now - datetime.timedelta(days=3)
        self.add(
            Notification,
            recipient_id=recipient,
            event=event,
            title=title[:300],
            url=f"/cases/{case['id']}/",
            case_id=case["id"],
            task_id=task_id,
            created_at=moment,
            read_at=moment + datetime.timedelta(hours=20) if old else None,
            recipient_online=False,
            emailed_at=None,
        )


def _replace(table: Table, values: dict) -> tuple:
    row = table.defaults.copy()
    row.update(values)
    return table.getter(row)


def _pick(rng: random.Random, weighted) -> str:
    x = rng.random()
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


class _Flow:
    """The process rows of one case, as ``CaseJourneyFlow`` leaves them."""

    def __init__(self, gen: Generator, process_id: int, case: dict, org: Org, opened):
        self.gen = gen
        self.process_id = process_id
        self.case = case
        self.org = org
        self.tasks: list[dict] = []
        self.process = {"status": "NEW", "finished": None}

    def add(
        self,
        node,
        kind,
        status,
        created,
        *,
        finished=None,
        owner=None,
        permission=None,
        started=None,
    ):
        task = {
            "flow_task": f"{FLOW}.{node}",
            "flow_task_type": kind,
            "status": status,
            "created": created,
            "assigned": None,
            "started": started,
            "finished": finished,
            "token": "start",
            "owner_id": owner,
            "owner_permission": permission,
            "process_id": self.process_id,
            "data": "{}",
        }
        task["id"] = self.gen.t[self.gen.task_model].next_id
        self.gen.t[self.gen.task_model].next_id += 1
        if self.tasks:
            self.gen.add(
                self.gen.previous_model, from_task_id=task["id"], to_task_id=self.tasks[-1]["id"]
            )
        self.tasks.append(task)
        return task

    def human(self, node, owner, created, finished, *, pooled=False):
        # The gateway is a task only right after the start; a finished human task opens the
        # next one itself (workflows/nodes.py).
        if self.tasks[-1]["flow_task_type"] == "START":
            self.add("route", "SWITCH", "DONE", created, finished=created)
        permission = f"casework.approve_plan@org:{self.org.organisation.pk}" if pooled else None
        if finished is not None:
            task = self.add(
                node,
                "HUMAN",
                "DONE",
                created,
                owner=owner,
                permission=permission,
                started=finished,
                finished=finished,
            )
        elif pooled:
            task = self.add(node, "HUMAN", "NEW", created, permission=permission)
        else:
            task = self.add(node, "HUMAN", "ASSIGNED", created, owner=owner)
        title = f"{TASK_TITLES[node]} (case {self.case['number']})"
        if pooled:
            for supervisor in self.org.supervisors:
                self.gen.notify(
                    supervisor,
                    "task_queued",
                    f"A task waits in your team's queue: {title}",
                    self.case,
                    task["id"],
                    created,
                )
        elif owner is not None:
            self.gen.notify(
                owner, "task_assigned", f"New task for you: {title}", self.case, task["id"], created
            )

    def close_completed(self, moment):
        self.add("end", "END", "DONE", moment, finished=moment)
        self.process.update(status="DONE", finished=moment)

    def cancel(self, moment):
        for task in self.tasks:
            if task["status"] in ("NEW", "ASSIGNED"):
                task.update(status="CANCELED", finished=moment)
        self.process.update(status="CANCELED", finished=moment)

    def write(self):
        table = self.gen.t[self.gen.task_model]
        for task in self.tasks:
            table.add(task)
        process_table = self.gen.t[self.gen.process_model]
        # The process row was added first; set its final status in place.
        row = process_table.rows[-1]
        status_at = process_table.attnames.index("status")
        finished_at = process_table.attnames.index("finished")
        values = list(row)
        values[status_at] = self.process["status"]
        values[finished_at] = self.process["finished"]
        process_table.rows[-1] = tuple(values)


# --------------------------------------------------------------------------------------------
# History in bulk, inside the database
# --------------------------------------------------------------------------------------------


def _numbers(cursor, upto: int) -> None:
    cursor.execute("DROP TABLE IF EXISTS bench_numbers")
    cursor.execute("CREATE TABLE bench_numbers (n integer PRIMARY KEY)")
    values = ", ".join(f"({n})" for n in range(upto))
    cursor.execute(f"INSERT INTO bench_numbers (n) VALUES {values}")


def _later(vendor: str) -> str:
    """``h.history_date`` plus ``n.n + 1`` minutes."""
    if vendor == "postgresql":
        return "h.history_date + (n.n + 1) * INTERVAL '1 minute'"
    return "strftime('%%Y-%%m-%%d %%H:%%M:%%f', h.history_date, '+' || (n.n + 1) || ' minutes')"


def top_up_history(gen: Generator, target: int, log) -> int:
    """Add ``~`` rows (copies of each generated ``+`` row with one harmless change) until the
    generated history reaches ``target`` rows. Returns the rows added."""
    have = sum(gen.t[_history(m)].written for m in gen.history_base)
    missing = target - have
    if missing <= 0:
        return 0
    qn = connection.ops.quote_name
    total_weight = sum(w for _m, w, *_ in TOP_UP)
    added: list[int] = []
    jobs = []
    with connection.cursor() as cursor:
        sources = {}
        for model, *_ in TOP_UP:
            history = _history(model)
            cursor.execute(
                f"SELECT COUNT(*) FROM {qn(history._meta.db_table)} "
                f"WHERE history_type = '+' AND history_id >= %s",
                [gen.history_base[model]],
            )
            sources[model] = cursor.fetchone()[0]
        wanted = {model: int(missing * weight / total_weight) for model, weight, *_ in TOP_UP}
        wanted[TOP_UP[0][0]] += missing - sum(wanted.values())
        widest = max((wanted[m] // max(1, sources[m]) for m in wanted), default=0) + 2
        _numbers(cursor, widest)
        for model, _weight, column, expression, reason in TOP_UP:
            count, rows = sources[model], wanted[model]
            if count == 0 or rows <= 0:
                continue
            history = _history(model)
            table = qn(history._meta.db_table)
            per_row, rest = divmod(rows, count)
            cutoff = None
            if rest:
                cursor.execute(
                    f"SELECT history_id FROM {table} WHERE history_type = '+' AND history_id >= %s "
                    f"ORDER BY history_id LIMIT 1 OFFSET %s",
                    [gen.history_base[model], rest],
                )
                found = cursor.fetchone()
                cutoff = found[0] if found else None
            names, values = [], []
            for f in history._meta.concrete_fields:
                if f.attname == "history_id":
                    continue
                names.append(qn(f.column))
                if f.attname == column:
                    values.append(expression)
                elif f.attname == "history_date":
                    values.append(_later(connection.vendor))
                elif f.attname == "history_type":
                    values.append("'~'")
                elif f.attname == "history_change_reason":
                    values.append(f"'{reason}'")
                else:
                    values.append(f"h.{qn(f.column)}")
            condition = f"n.n < {per_row}"
            if cutoff is not None:
                condition = f"(n.n < {per_row} OR (n.n = {per_row} AND h.history_id < {cutoff}))"
            jobs.append(
                (
                    history,
                    f"INSERT INTO {table} ({', '.join(names)}) "
                    f"SELECT {', '.join(values)} FROM {table} h "
                    f"JOIN bench_numbers n ON {condition} "
                    f"WHERE h.history_type = '+' AND h.history_id >= %s",
                    [gen.history_base[model]],
                )
            )

        def job(history, sql, params):
            def run():
                started = time.monotonic()
                with connection.cursor() as job_cursor:
                    job_cursor.execute(sql, params)
                    count = job_cursor.rowcount
                gen.t[history].written += count
                added.append(count)
                elapsed = time.monotonic() - started
                log(f"  history: +{count:,} rows in {history._meta.db_table} ({elapsed:.1f} s)")

            return run

        parallel([job(*spec) for spec in jobs])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_numbers")
    return sum(added)


# --------------------------------------------------------------------------------------------
# Audit chains (when the audit app is installed)
# --------------------------------------------------------------------------------------------

CHAIN_HEAD_SEQ = 10**15  # above every generated link's seq, so real appends follow on


def chain_history(gen: Generator, log) -> int:
    """One chain head per generated case, client and session, and a chain link for every
    generated history row, with placeholder digests (the layout and indexes the audit pages
    read are real; the hashes do not verify)."""
    if not apps.is_installed("audit"):
        return 0
    from audit import chain, registry

    head_model = apps.get_model("audit", "ChainHead")
    link_model = apps.get_model("audit", "ChainLink")
    expected = {
        "id",
        "head_id",
        "seq",
        "model",
        "history_id",
        "object_id",
        "history_type",
        "history_date",
        "user_id",
        "case_id",
        "client_id",
        "organisation_id",
        "stage",
        "reason_code",
        "schema",
        "digest",
        "hash",
        "salts",
    }
    actual = {f.attname for f in link_model._meta.concrete_fields}
    if not actual <= expected:
        raise RuntimeError(
            f"audit.ChainLink has columns the generator does not know: {sorted(actual - expected)}"
        )
    qn = connection.ops.quote_name
    heads = Table(head_model, _next_id(head_model))
    first_case, cases = gen.first[Case], gen.t[Case].next_id - gen.first[Case]
    first_client, clients = gen.first[Client], gen.t[Client].next_id - gen.first[Client]
    first_session = gen.first[Session]
    case_head = heads.next_id
    client_head = case_head + cases
    session_head = client_head + clients
    placeholder = "0" * 64
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, client_id, organisation_id, stage FROM {qn(Case._meta.db_table)} "
            f"WHERE id >= %s ORDER BY id",
            [first_case],
        )
        for case_id, client_id, organisation_id, stage in cursor.fetchall():
            heads.add(
                {
                    "id": case_head + case_id - first_case,
                    "key": f"case:{case_id}",
                    "seq": CHAIN_HEAD_SEQ,
                    "hash": placeholder,
                    "case_id": case_id,
                    "client_id": client_id,
                    "organisation_id": organisation_id,
                    "stage": stage,
                }
            )
        cursor.execute(
            f"SELECT id, organisation_id FROM {qn(Client._meta.db_table)} "
            f"WHERE id >= %s ORDER BY id",
            [first_client],
        )
        for client_id, organisation_id in cursor.fetchall():
            heads.add(
                {
                    "id": client_head + client_id - first_client,
                    "key": f"client:{client_id}",
                    "seq": CHAIN_HEAD_SEQ,
                    "hash": placeholder,
                    "case_id": None,
                    "client_id": client_id,
                    "organisation_id": organisation_id,
                    "stage": "",
                }
            )
        cursor.execute(
            f"SELECT id, organisation_id FROM {qn(Session._meta.db_table)} "
            f"WHERE id >= %s ORDER BY id",
            [first_session],
        )
        for session_id, organisation_id in cursor.fetchall():
            heads.add(
                {
                    "id": session_head + session_id - first_session,
                    "key": f"{registry.SESSION}:{session_id}",
                    "seq": CHAIN_HEAD_SEQ,
                    "hash": placeholder,
                    "case_id": None,
                    "client_id": None,
                    "organisation_id": organisation_id,
                    "stage": "",
                }
            )
        with transaction.atomic():
            gen.loader.flush(heads)
        reset_sequences([head_model])

        case_table = qn(Case._meta.db_table)
        plan_table = qn(DevelopmentPlan._meta.db_table)
        columns = (
            "head_id, seq, model, history_id, object_id, history_type, history_date, user_id, "
            "case_id, client_id, organisation_id, stage, reason_code, schema, digest, hash, salts"
        )
        jobs = []
        for code, model in enumerate(
            (
                Case,
                Client,
                DevelopmentPlan,
                Goal,
                Session,
                Attendance,
                HealthScreening,
                Placement,
                FollowUp,
                Referral,
            )
        ):
            history = _history(model)
            label = model._meta.label_lower
            schema = chain.schema_of(history).digest
            salts = json.dumps({name: "5a17" * 8 for name in registry.personal_fields(model)})
            common = (
                f"h.history_id * 16 + {code}, '{label}', h.history_id, h.id, h.history_type, "
                f"h.history_date, h.history_user_id"
            )
            tail = (
                f"h.history_change_reason, '{schema}', '{placeholder}', '{placeholder}', '{salts}'"
            )
            table = qn(history._meta.db_table)
            if model is Client:
                select = (
                    f"SELECT h.id - {first_client} + {client_head}, {common}, NULL, h.id, "
                    f"h.organisation_id, '', {tail} FROM {table} h"
                )
            elif model is Session:
                select = (
                    f"SELECT h.id - {first_session} + {session_head}, {common}, NULL, NULL, "
                    f"h.organisation_id, '', {tail} FROM {table} h"
                )
            else:
                if model is Case:
                    join = f"JOIN {case_table} c ON c.id = h.id"
                elif model is Goal:
                    join = (
                        f"JOIN {plan_table} p ON p.id = h.plan_id "
                        f"JOIN {case_table} c ON c.id = p.case_id"
                    )
                else:
                    join = f"JOIN {case_table} c ON c.id = h.case_id"
                select = (
                    f"SELECT c.id - {first_case} + {case_head}, {common}, c.id, c.client_id, "
                    f"c.organisation_id, c.stage, {tail} FROM {table} h {join}"
                )
            cursor.execute(f"SELECT MAX(history_id) FROM {table}")
            top = cursor.fetchone()[0] or 0
            base = gen.history_base[model]
            middle = (base + top) // 2 + 1
            # Two halves per table, so that both database processes always have work.
            for low, high in ((base, middle), (middle, top + 1)):
                jobs.append(
                    (
                        label,
                        f"INSERT INTO {qn(link_model._meta.db_table)} ({columns}) {select} "
                        f"WHERE h.history_id >= %s AND h.history_id < %s",
                        [low, high],
                    )
                )

    counts: list[int] = []

    def job(label, sql, params):
        def run():
            started = time.monotonic()
            with connection.cursor() as job_cursor:
                job_cursor.execute(sql, params)
                count = job_cursor.rowcount
            counts.append(count)
            log(f"  audit: {count:,} chain links for {label} ({time.monotonic() - started:.1f} s)")

        return run

    parallel([job(*spec) for spec in jobs])
    total = sum(counts)
    gen.extra_tables = [head_model, link_model]
    return total


# --------------------------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------------------------


def generate(
    *,
    clients: int,
    history_rows: int | None = None,
    seed: int = 7,
    tag: str | None = None,
    analyze: bool = True,
    screening_ready: int = 0,
    threads: bool = True,
    log: Callable[[str], None] = print,
) -> Summary:
    """Write ``clients`` clients with one case each and ``history_rows`` history rows in total
    (default ``HISTORY_PER_CASE`` per case), into the default database. ``screening_ready``:
    about that many more cases than the stage mix gives stand in health screening with the
    screening recorded, ready to advance. ``threads=False``: one connection, the caller's
    transaction (tests); otherwise other threads write on connections of their own."""
    if clients < 1:
        raise ValueError("clients must be at least 1")
    WORKERS["n"] = 2 if threads else 1
    history_rows = clients * HISTORY_PER_CASE if history_rows is None else history_rows
    tag = tag or f"{timezone.now():%y%m%d%H%M%S}{secrets.token_hex(2)}"
    summary = Summary(tag=tag, clients=clients)
    rng = random.Random(seed)
    started = time.monotonic()
    with transaction.atomic():
        orgs = _world(clients=clients, tag=tag, rng=rng)
    summary.organisations = [o.organisation.pk for o in orgs]
    for role in (Role.SOCIAL_WORKER, Role.MENTOR, Role.SUPERVISOR):
        attribute = {
            Role.SOCIAL_WORKER: "social_workers",
            Role.MENTOR: "mentors",
            Role.SUPERVISOR: "supervisors",
        }[role]
        summary.staff[str(role)] = [pk for o in orgs for pk in getattr(o, attribute)]
    summary.seconds["world"] = time.monotonic() - started

    gen = Generator(
        clients=clients,
        seed=seed,
        tag=tag,
        log=log,
        screening_ready=screening_ready,
        background=threads,
    )
    gen.extra_tables = []
    bulk = [t.name for t in gen.t.values()]
    if apps.is_installed("audit"):
        bulk += [
            apps.get_model("audit", name)._meta.db_table for name in ("ChainHead", "ChainLink")
        ]
    deferred = IndexesDeferred(bulk, log)
    with deferred:
        step = time.monotonic()
        per_org, extra = divmod(clients, len(orgs))
        for n, org in enumerate(orgs):
            gen.organisation(org, per_org + (1 if n < extra else 0))
            if sum(len(t.rows) for t in gen.t.values()) > 200_000 or n == len(orgs) - 1:
                gen.flush()
            if (n + 1) % 10 == 0 or n == len(orgs) - 1:
                elapsed = time.monotonic() - step
                log(f"  cases: {gen.t[Case].written:,} of {clients:,} ({elapsed:.0f} s)")
        if gen.background is not None:
            gen.background.finish()
        summary.seconds["cases"] = time.monotonic() - step

        reset_sequences([t.model for t in gen.t.values()])
        step = time.monotonic()
        top_up_history(gen, history_rows, log)
        summary.seconds["history"] = time.monotonic() - step

        step = time.monotonic()
        links = chain_history(gen, log)
        summary.seconds["audit_chain"] = time.monotonic() - step
        step = time.monotonic()
    summary.seconds["indexes"] = time.monotonic() - step
    step = time.monotonic()
    # The task rows were written past the signals that keep the task boxes' table.
    summary.rows["workflows_opentask"] = open_tasks.rebuild()
    summary.seconds["open_tasks"] = time.monotonic() - step
    step = time.monotonic()
    if kept.kept_on(connection.alias):
        # The attendance lines were loaded by parallel transactions, each blind to the cases and
        # sessions the others had not committed yet: the triggers' figures are rebuilt whole.
        kept.rebuild(connection.alias)
        summary.rows["reporting_attendedminutes"] = AttendedMinutes.objects.count()
        summary.rows["reporting_attendeddayminutes"] = AttendedDayMinutes.objects.count()
    summary.seconds["kept_figures"] = time.monotonic() - step
    step = time.monotonic()
    reset_sequences([t.model for t in gen.t.values()] + list(gen.extra_tables))
    if analyze:
        analyse(
            [t.model._meta.db_table for t in gen.t.values()]
            + [m._meta.db_table for m in gen.extra_tables]
            + [OpenTask._meta.db_table]
            + [kept_rows._meta.db_table for kept_rows in (AttendedMinutes, AttendedDayMinutes)]
        )
    summary.seconds["analyze"] = time.monotonic() - step
    for table in gen.t.values():
        summary.rows[table.name] = table.written
    if links:
        summary.rows["audit_chainlink"] = links
    summary.seconds["total"] = time.monotonic() - started
    return summary


class IndexesDeferred:
    """On PostgreSQL, drop the secondary indexes, unique and foreign-key constraints of the
    tables about to be bulk-loaded and build them again afterwards: one sorted build per index
    is many times faster than maintaining it row by row. Primary keys and check constraints
    stay. A no-op on SQLite (small sizes only)."""

    def __init__(self, tables: list[str], log):
        self.tables = tables
        self.log = log
        self.indexes: list[tuple[str, str]] = []
        self.index_table: dict[str, str] = {}
        self.constraints: list[tuple[str, str, str, str]] = []

    def __enter__(self):
        if connection.vendor != "postgresql":
            return self
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname",
                    [qn(table)],
                )
                for name, definition, kind in cursor.fetchall():
                    self.constraints.append((table, name, definition, kind))
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                    "ORDER BY i.relname",
                    [qn(table)],
                )
                self.indexes.extend(cursor.fetchall())
                self.index_table.update({name: table for name, _d in self.indexes})
            for table, name, _definition, _kind in self.constraints:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
        return self

    def _index_tables(self):
        return [(self.index_table[name], (name, definition)) for name, definition in self.indexes]

    def __exit__(self, *exc):
        if connection.vendor != "postgresql" or not (self.indexes or self.constraints):
            return False
        qn = connection.ops.quote_name
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
                [self.tables],
            )
            size = dict(cursor.fetchall())

        def run(sql):
            def job():
                with connection.cursor() as job_cursor:
                    job_cursor.execute("SET maintenance_work_mem = '512MB'")
                    job_cursor.execute(sql)

            return job

        # Indexes and unique constraints, biggest tables first, two at a time.
        builds = [(table, definition) for table, (_name, definition) in self._index_tables()]
        builds += [
            (table, f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
            for table, name, definition, kind in self.constraints
            if kind == "u"
        ]
        builds.sort(key=lambda b: -size.get(b[0], 0))
        parallel([run(sql) for _table, sql in builds])
        # Foreign keys: added unchecked one by one (two tables referencing each other could
        # deadlock if added in parallel), then checked, two at a time.
        foreign = [c for c in self.constraints if c[3] == "f"]
        with connection.cursor() as cursor:
            for table, name, definition, _kind in foreign:
                cursor.execute(
                    f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition} NOT VALID"
                )
        foreign.sort(key=lambda c: -size.get(c[0], 0))
        parallel(
            [run(f"ALTER TABLE {qn(t)} VALIDATE CONSTRAINT {qn(n)}") for t, n, _d, _k in foreign]
        )
        self.log(
            f"  indexes: {len(self.indexes)} indexes and {len(self.constraints)} constraints "
            f"rebuilt ({time.monotonic() - started:.0f} s)"
        )
        return False


def reset_sequences(models_: list[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the ids written here (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyse(tables: list[str]) -> None:
    """Fresh statistics and visibility maps, as autovacuum would leave a table in production."""
    qn = connection.ops.quote_name
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [tables],
        )
        size = dict(cursor.fetchall())

    # VACUUM cannot run inside a transaction (tests): statistics only, then.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"

    def job(table):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(f"{command} {qn(table)}")

        return run

    parallel([job(t) for t in sorted(set(tables), key=lambda t: -size.get(t, 0))])
