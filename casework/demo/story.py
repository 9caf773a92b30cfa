"""One cohort's story, told through the services as the users who would do each step (the
social worker takes the client in, the mentor drafts the plan and logs sessions, a supervisor
other than the author approves), so history rows carry users and reasons, the Viewflow process
of each case has the right open task, and notifications exist as they would in real use.

Each step runs on its own day: the clock travels (``time_machine``) to the date the record is
about while its service runs, so the history, the case's opening and stage changes, closures and
referrals are dated like a programme that has run for months, not all today.
"""

from __future__ import annotations

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.core.management.base import CommandError
from django.utils import timezone

import privacy
from privacy import services as privacy_services
from privacy.demo import SPECIAL, seed_health_finding, seed_special_categories

from .. import services
from ..journey import Stage
from ..models import (
    Case,
    ContractType,
    Country,
    ExitOutcome,
    FollowUpKind,
    FollowUpStatus,
    GoalArea,
    Organisation,
    OrganisationKind,
    Outcome,
    Programme,
    ScreeningStatus,
    SessionFormat,
    SessionKind,
)
from .people import data

INTAKE = Stage.INTAKE
PLANNING = Stage.PLANNING
TRAINING = Stage.TRAINING
SCREENING = Stage.SCREENING
PLACEMENT = Stage.PLACEMENT
FOLLOW_UP = Stage.FOLLOW_UP
CLOSED = Stage.CLOSED


# Per day, the latest moment a block ran until: the next block of the same day starts after it,
# so a case's history stays in the order it was written.
_latest: dict[datetime.date, datetime.datetime] = {}


@contextmanager
def dated(day: datetime.date):
    """Run the block with the clock on ``day`` (from 10:00 in the site's time zone, or after
    what ran on that day before)."""
    moment = datetime.datetime.combine(day, datetime.time(10), timezone.get_current_timezone())
    with time_machine.travel(max(moment, _latest.get(day, moment)), tick=True):
        try:
            yield
        finally:
            _latest[day] = timezone.now() + datetime.timedelta(milliseconds=1)


@dataclass(frozen=True)
class Plot:
    """Where one demo case's journey stops, and how.

    ``stop`` is the stage the case is in today before any ending (``closed`` means it completed
    the whole journey). ``detail`` says how far the work of that stage got:

    - intake: ``new`` (just opened), ``consent``, ``incomplete`` (entry data missing), ``ready``
      (consent and mentor, waiting for the social worker to complete the intake);
    - planning: ``draft``, ``submitted``, ``returned``, ``resubmitted`` (returned, corrected and
      waiting again);
    - training: attendance below the threshold (the group is still running, or the client
      missed too much);
    - screening: ``pending`` or ``recorded`` (not yet moved on);
    - placement: ``pending`` or ``started`` (employer known, outcome at exit not yet);
    - follow_up: ``none`` or ``first`` recorded;
    - closed: ``unreachable`` when the six-month follow-up found no one.

    ``close`` (an early outcome) or ``suspend`` end the story in the stop stage; ``pause_at`` is
    an earlier stage in which the case was suspended and resumed; ``reopen`` closes a case as
    dropped out during training and has the supervisor reopen it.
    """

    stop: str
    detail: str = ""
    close: str = ""
    suspend: bool = False
    pause_at: str = ""
    reopen: bool = False


@dataclass(frozen=True)
class Cohort:
    """One mentor's group of clients who started together and share the group trainings."""

    key: str
    programme: str
    organisation: str
    mentor: str
    days_ago: int
    settlements: list[str]
    plots: list[Plot]


def cohorts() -> list[Cohort]:
    """The demo's cohorts, from ``data/cohorts.yaml``."""
    return [
        Cohort(**{**item, "plots": [Plot(**plot) for plot in item["plots"]]})
        for item in data("cohorts")
    ]


@dataclass(frozen=True)
class Words:
    goals: dict[str, list[str]]
    strengths: list[str]
    difficulties: list[str]
    training_topic: str
    topics: list[str]
    counselling: list[str]
    employers: list[str]
    training_providers: list[str]
    suspend: list[str]
    close: dict[str, list[str]]
    reopen: str
    return_comments: list[str]
    approve_comments: list[str]
    correction: str
    labour_referral: str
    labour_answer: str
    health_referral: str
    health_answer: str
    follow_up_notes: list[str]
    summary: str


def words(country: str) -> Words:
    """What the demo staff of ``country`` write, from ``data/words_<language>.yaml``."""
    return Words(**data("words_sk" if country == Country.SLOVAKIA else "words_hu"))


@dataclass
class Member:
    plot: Plot
    data: dict
    case: Case | None = None
    consent_on: datetime.date | None = None
    last_on: datetime.date | None = None  # the latest thing that happened, for the next date
    goals: list[int] = field(default_factory=list)
    sheet: list[bool] = field(default_factory=list)  # present at each group session on its list
    leave_after: int = 0
    outcome: str = ExitOutcome.JOB_SEEKING  # at exit from the placement stage

    def refresh(self) -> Case:
        self.case = Case.objects.select_related("programme").get(pk=self.case.pk)
        return self.case


@dataclass
class World:
    organisations: dict[str, Organisation]
    programmes: dict[str, Programme]
    users: dict[str, object]

    def partner(self, programme: Programme, kind: str) -> Organisation | None:
        return programme.organisations.filter(kind=kind).order_by("name").first()


class CohortStory:
    def __init__(self, *, cohort: Cohort, members: list[Member], world: World, seed: int):
        self.cohort = cohort
        self.members = members
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.programme = world.programmes[cohort.programme]
        worker, supervisor = data("staff")["teams"][cohort.organisation]
        self.worker = world.users[worker]
        self.supervisor = world.users[supervisor]
        self.mentor = world.users[cohort.mentor] if cohort.mentor else None
        self.labour_office = world.partner(self.programme, OrganisationKind.LABOUR_OFFICE)
        self.health_office = world.partner(self.programme, OrganisationKind.HEALTH_OFFICE)
        self.words = words(self.programme.country)
        self.stages = self.programme.stages
        self.start = self.today - datetime.timedelta(days=cohort.days_ago)

    # -- dates --------------------------------------------------------------------------------

    def day(self, after: datetime.date, low: int, high: int) -> datetime.date:
        """A day ``low``–``high`` days after ``after``, never in the future (services refuse)."""
        return min(after + datetime.timedelta(days=self.rng.randint(low, high)), self.today)

    def session_days(self) -> list[datetime.date]:
        """The group's weekly Tuesday sessions held so far, four weeks after the start."""
        first = self.start + datetime.timedelta(days=28)
        first += datetime.timedelta(days=(1 - first.weekday()) % 7)
        days = [first + datetime.timedelta(weeks=n) for n in range(self.programme.planned_sessions)]
        return [day for day in days if day <= self.today]

    # -- the story ----------------------------------------------------------------------------

    def tell(self) -> None:
        for member in self.members:
            self.intake(member)
        for member in self.members:
            if member.refresh().stage == PLANNING:
                self.planning(member)
        trainees = [member for member in self.members if member.refresh().stage == TRAINING]
        if trainees:
            self.group_training(trainees)
        for member in trainees:
            if member.refresh().stage == TRAINING and self.passes_training(member.plot):
                self.onwards(member)
        for member in self.members:
            if member.plot.reopen:
                self.reopen(member)

    def passes_training(self, plot: Plot) -> bool:
        return plot.stop not in (INTAKE, PLANNING, TRAINING)

    def end(self, member: Member) -> None:
        """Close or suspend the case in its stop stage, as the social worker."""
        plot = member.plot
        if plot.close:
            services.case_close_early(
                user=self.worker,
                case_id=member.case.pk,
                outcome=plot.close,
                reason=self.rng.choice(self.words.close[plot.close]),
            )
        elif plot.suspend:
            self.suspend(member)

    def suspend(self, member: Member) -> None:
        services.case_suspend(
            user=self.worker, case_id=member.case.pk, reason=self.rng.choice(self.words.suspend)
        )

    def intake(self, member: Member) -> None:
        with dated(self.start):
            self.register(member)
            if member.plot.stop == INTAKE and member.plot.detail == "new":
                return self.end(member)
        member.consent_on = member.last_on = self.day(self.start, 0, 5)
        with dated(member.consent_on):
            self.consent(member)

    def register(self, member: Member) -> None:
        fields = dict(member.data)
        answers = fields.pop(SPECIAL)
        if member.plot.detail == "incomplete":
            fields.update(education_level="", household="")
        if fields.get("unemployed_since"):
            # Drawn as days before today: moved back with the registration, so the client had
            # been unemployed as long when the group started.
            fields["unemployed_since"] -= self.today - self.start
        # Generated names may meet twice in a cohort; they are different people here.
        client = services.client_register(user=self.worker, data=fields, accept_duplicate=True)
        member.case = services.case_open(
            user=self.worker,
            client_id=client.pk,
            programme_id=self.programme.pk,
            opened_on=self.start,  # the group's intake forms are dated when the group started
        )
        seed_special_categories(user=self.worker, case=member.case, answers=answers)

    def consent(self, member: Member) -> None:
        plot, rng = member.plot, self.rng
        services.case_record_consent(
            user=self.worker, case_id=member.case.pk, given_on=member.consent_on
        )
        if self.labour_office and rng.random() < 0.3:
            self.refer(
                member, self.labour_office, self.words.labour_referral, by=self.worker, answer=0.6
            )
        if plot.stop == INTAKE and plot.detail in ("consent", "incomplete"):
            return self.end(member)
        services.case_assign_mentor(
            user=self.worker, case_id=member.case.pk, mentor_id=self.mentor.pk
        )
        if plot.stop == INTAKE:
            return self.end(member)
        member.case = services.case_advance(
            user=self.worker, case_id=member.case.pk, from_stage=INTAKE
        )

    def refer(
        self, member: Member, partner: Organisation, purpose: str, *, by, answer: float
    ) -> None:
        """A referral to a partner office; the answer, when it came, is recorded by staff."""
        case = member.case
        if not privacy.has_consent(case, privacy.Purpose.PARTNER_SHARING, partner):
            # The sharing consent is signed with the intake papers.
            privacy_services.consent_record(
                user=case.social_worker,
                case=case,
                purpose=privacy.Purpose.PARTNER_SHARING,
                partner=partner,
                given_on=member.consent_on or timezone.localdate(),
            )
        referral = services.referral_create(
            user=by, case_id=member.case.pk, partner_id=partner.pk, purpose=purpose
        )
        if self.rng.random() < answer:
            text = (
                self.words.labour_answer
                if partner.kind == OrganisationKind.LABOUR_OFFICE
                else self.words.health_answer
            )
            services.referral_record_answer(
                user=by, referral_id=referral.pk, answer=text, answered_on=timezone.localdate()
            )

    def planning(self, member: Member) -> None:
        agreed = self.day(member.consent_on, 8, 18)
        with dated(agreed):
            self.plan(member, agreed)

    def plan(self, member: Member, agreed: datetime.date) -> None:
        plot, rng, words = member.plot, self.rng, self.words
        case_id = member.case.pk
        draft_only = plot.stop == PLANNING and plot.detail == "draft"
        summary = words.summary.format(
            strengths=", ".join(rng.sample(words.strengths, 2)),
            difficulties=", ".join(rng.sample(words.difficulties, 2)),
        )
        services.plan_save(
            user=self.mentor,
            case_id=case_id,
            summary=summary,
            client_agreed_on=None if draft_only and rng.random() < 0.5 else agreed,
        )
        areas = [
            GoalArea.EMPLOYMENT,
            *rng.sample(sorted(words.goals.keys() - {GoalArea.EMPLOYMENT}), 2),
        ]
        for area in areas[: rng.randint(2, 3)]:
            goal = services.goal_add(
                user=self.mentor,
                case_id=case_id,
                area=area,
                description=rng.choice(words.goals[area]),
                target_date=agreed + datetime.timedelta(days=rng.choice([90, 120, 180, 240])),
            )
            member.goals.append(goal.pk)
        member.last_on = agreed
        if rng.random() < 0.3:
            self.counselling(member, by=self.worker, on=self.day(agreed, 1, 10))
        if plot.stop == PLANNING:
            if plot.detail in ("submitted", "returned", "resubmitted"):
                services.plan_submit(user=self.mentor, case_id=case_id)
            if plot.detail in ("returned", "resubmitted"):
                self.return_plan(member)
            if plot.detail == "resubmitted":
                self.correct_plan(member, summary, agreed)
                services.plan_submit(user=self.mentor, case_id=case_id)
            return self.end(member)
        services.plan_submit(user=self.mentor, case_id=case_id)
        if rng.random() < 0.25:  # some plans go back once before approval
            self.return_plan(member)
            self.correct_plan(member, summary, agreed)
            services.plan_submit(user=self.mentor, case_id=case_id)
        services.plan_approve(
            user=self.supervisor, case_id=case_id, comment=rng.choice(words.approve_comments)
        )

    def return_plan(self, member: Member) -> None:
        services.plan_return(
            user=self.supervisor,
            case_id=member.case.pk,
            comment=self.rng.choice(self.words.return_comments),
        )

    def correct_plan(self, member: Member, summary: str, agreed: datetime.date) -> None:
        services.plan_save(
            user=self.mentor,
            case_id=member.case.pk,
            summary=f"{summary}\n{self.words.correction}",
            client_agreed_on=agreed,
        )
        goal = services.goal_add(
            user=self.mentor,
            case_id=member.case.pk,
            area=GoalArea.HOUSING,
            description=self.rng.choice(self.words.goals[GoalArea.HOUSING]),
            target_date=agreed + datetime.timedelta(days=120),
        )
        member.goals.append(goal.pk)

    def counselling(self, member: Member, *, by, on: datetime.date) -> None:
        with dated(on):
            services.session_record(
                user=by,
                kind=SessionKind.COUNSELLING,
                format=SessionFormat.INDIVIDUAL,
                topic=self.rng.choice(self.words.counselling),
                held_on=on,
                duration_minutes=60,
                attendance={member.case.pk: True},
            )

    def group_training(self, trainees: list[Member]) -> None:
        """The group's weekly trainings: one attendance sheet per session for the whole group."""
        rng, programme = self.rng, self.programme
        days = self.session_days()
        held, needed = len(days), programme.attendance_threshold
        for member in trainees:
            plot = member.plot
            # A counselling session logged while planning counts towards the threshold too.
            prior = member.case.attendance.filter(present=True).count()
            if self.passes_training(plot):
                if held < needed:
                    raise CommandError(
                        f"Cohort {self.cohort.key}: {held} sessions held, {needed} needed; "
                        "start it earlier."
                    )
                absent = rng.sample(range(held), min(rng.choice([0, 0, 1, 1, 2]), held - needed))
                member.sheet = [n not in absent for n in range(held)]
            elif plot.close or plot.suspend or plot.reopen:
                member.leave_after = rng.randint(2, max(2, min(held, needed) - 2))
                member.sheet = [rng.random() < 0.75 for _n in range(member.leave_after)]
                # A reopened case gets one more session after it returns: keep it below too.
                self.keep_below(member.sheet, needed - prior - (1 if plot.reopen else 0))
            else:  # still training: the group goes on, or the client missed too many
                member.sheet = [rng.random() < 0.85 for _n in range(held)]
                self.keep_below(member.sheet, needed - prior)
        for n, day in enumerate(days):
            with dated(day):
                attendance = {
                    member.case.pk: member.sheet[n] for member in trainees if n < len(member.sheet)
                }
                if attendance:
                    topic = f"{self.words.training_topic} {n + 1}/{programme.planned_sessions}: "
                    services.session_record(
                        user=self.mentor,
                        kind=SessionKind.TRAINING,
                        format=SessionFormat.GROUP
                        if len(attendance) > 1
                        else SessionFormat.INDIVIDUAL,
                        topic=topic + self.words.topics[n % len(self.words.topics)],
                        held_on=day,
                        duration_minutes=180,
                        attendance=attendance,
                    )
                for member in trainees:
                    member.last_on = day if n < len(member.sheet) else member.last_on
                    if member.leave_after == n + 1:
                        if member.plot.reopen:
                            services.case_close_early(
                                user=self.worker,
                                case_id=member.case.pk,
                                outcome=Outcome.DROPPED_OUT,
                                reason=rng.choice(self.words.close[Outcome.DROPPED_OUT]),
                            )
                        else:
                            self.end(member)
        for member in trainees:
            if not self.passes_training(member.plot) and not member.leave_after:
                self.end(member)

    def keep_below(self, sheet: list[bool], limit: int) -> None:
        """Mark absences until fewer than ``limit`` sessions are attended."""
        while sum(sheet) >= max(limit, 1):
            sheet[self.rng.choice([n for n, present in enumerate(sheet) if present])] = False

    def reopen(self, member: Member) -> None:
        services.case_reopen(user=self.supervisor, case_id=member.case.pk, reason=self.words.reopen)
        self.counselling(member, by=self.mentor, on=self.day(self.today, -6, -1))

    def onwards(self, member: Member) -> None:
        """From a completed training to where the member's journey stops."""
        plot = member.plot
        case_id = member.case.pk
        with dated(member.last_on):
            services.case_advance(user=self.mentor, case_id=case_id, from_stage=TRAINING)
        for stage in (SCREENING, PLACEMENT, FOLLOW_UP):
            if stage not in self.stages:
                continue
            if plot.pause_at == stage:
                with dated(member.last_on):
                    self.suspend(member)
                    services.case_resume(user=self.worker, case_id=case_id)
            stop_here = plot.stop == stage
            {SCREENING: self.screening, PLACEMENT: self.placement, FOLLOW_UP: self.follow_up}[
                stage
            ](member, partial=plot.detail if stop_here else "")
            with dated(member.last_on):
                if stop_here:
                    return self.end(member)
                services.case_advance(user=self.mentor, case_id=case_id, from_stage=stage)

    def screening(self, member: Member, *, partial: str) -> None:
        if partial == "pending":
            return
        rng = self.rng
        done = rng.random() < 0.7
        referred = done and self.health_office is not None and rng.random() < 0.4
        member.last_on = self.day(member.last_on, 5, 20)
        with dated(member.last_on):
            self.screened(member, done=done, referred=referred)

    def screened(self, member: Member, *, done: bool, referred: bool) -> None:
        services.screening_record(
            user=self.mentor,
            case_id=member.case.pk,
            status=ScreeningStatus.DONE if done else ScreeningStatus.DECLINED,
            screened_on=member.last_on,
            referred_to_id=self.health_office.pk if referred else None,
        )
        if done:
            seed_health_finding(user=self.worker, case=member.case, referred=referred)
        if referred:
            self.refer(
                member, self.health_office, self.words.health_referral, by=self.mentor, answer=0.5
            )

    def placement(self, member: Member, *, partial: str) -> None:
        rng = self.rng
        case_id = member.case.pk
        if rng.random() < 0.6:
            self.counselling(member, by=self.mentor, on=self.day(member.last_on, 3, 12))
        if partial == "pending":
            return
        starts_on = self.day(member.last_on, 14, 45)
        member.last_on = starts_on
        outcome = rng.choices(
            [
                ExitOutcome.EMPLOYED,
                ExitOutcome.IN_EDUCATION,
                ExitOutcome.JOB_SEEKING,
                ExitOutcome.SELF_EMPLOYED,
            ],
            weights=[60, 15, 20, 5],
        )[0]
        if partial == "started":
            outcome = ExitOutcome.EMPLOYED
        fields = {}
        if outcome == ExitOutcome.EMPLOYED:
            contract = rng.choices(
                [
                    ContractType.FIXED_TERM,
                    ContractType.PERMANENT,
                    ContractType.PART_TIME,
                    ContractType.PUBLIC_WORKS,
                ],
                weights=[40, 25, 15, 20 if self.programme.country == Country.HUNGARY else 0],
            )[0]
            fields = {"employer": rng.choice(self.words.employers), "contract_type": contract}
        elif outcome == ExitOutcome.IN_EDUCATION:
            fields = {
                "employer": rng.choice(self.words.training_providers),
                "contract_type": ContractType.TRAINING,
            }
        elif outcome == ExitOutcome.SELF_EMPLOYED:
            fields = {"contract_type": ContractType.SELF_EMPLOYED}
        with dated(starts_on):
            services.placement_save(
                user=self.mentor,
                case_id=case_id,
                starts_on=starts_on if fields else None,
                exit_outcome="" if partial == "started" else outcome,
                exit_on=starts_on,  # the story's day, so the follow-ups count from it
                **fields,
            )
        member.outcome = outcome

    def follow_up(self, member: Member, *, partial: str) -> None:
        if partial == "none":
            return
        rng, words = self.rng, self.words
        follow_ups = {f.kind: f for f in member.refresh().follow_ups.all()}
        outcome = member.outcome
        first_on = self.day(member.last_on, 28, 35)
        with dated(first_on):
            services.follow_up_record(
                user=self.mentor,
                follow_up_id=follow_ups[FollowUpKind.FIRST].pk,
                status=FollowUpStatus.REACHED,
                contacted_on=first_on,
                situation=outcome,
                notes=rng.choice(words.follow_up_notes),
            )
        if partial == "first":
            member.last_on = first_on
            return
        reached = member.plot.detail != "unreachable"
        later = rng.choice([outcome, outcome, ExitOutcome.EMPLOYED, ExitOutcome.JOB_SEEKING])
        second_on = max(first_on, self.day(member.last_on, 182, 190))
        with dated(second_on):
            services.follow_up_record(
                user=self.mentor,
                follow_up_id=follow_ups[FollowUpKind.SECOND].pk,
                status=FollowUpStatus.REACHED if reached else FollowUpStatus.UNREACHABLE,
                contacted_on=second_on,
                situation=later if reached else "",
                notes=rng.choice(words.follow_up_notes) if reached else "",
            )
            for goal_id in member.goals[: rng.randint(1, len(member.goals))]:
                services.goal_mark_achieved(user=self.mentor, goal_id=goal_id)
        member.last_on = second_on
