"""The casework domain: programmes, organisations, clients and their cases.

Models only hold data, declare the journey's transitions and answer questions about themselves.
Every write goes through ``casework.services`` (DESIGN.md rule 1), which records the acting user
and a change reason on the history row of every save.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from kernel.choices import FollowUpStatus, PlanStatus, Stage
from privacy.selectors import special_target_groups

from .journey import exit_requirements_missing, next_stage
from .search import folded

# --------------------------------------------------------------------------------------------
# Programme set-up: consortium, organisations, staff
# --------------------------------------------------------------------------------------------


class Country(models.TextChoices):
    HUNGARY = "HU", _("Hungary")
    SLOVAKIA = "SK", _("Slovakia")


def history_indexed_only_as_read(
    *unindexed: str, excluded: tuple[str, ...] = ()
) -> HistoricalRecords:
    """History for a model, without the indexes simple-history would copy onto ``unindexed``.

    simple-history indexes every foreign key and unique field it copies into the history table.
    History tables are written on every change and read only by the object's id, the history
    date, and the case (or parent) they belong to (``audit``, the API's history); each other
    index is one more B-tree to update on every history row and is never used (P4 in
    BENCHMARKS.md: the case's history row went from 11 indexes to 4).

    ``excluded`` fields are derived from others and kept out of the history altogether."""
    return HistoricalRecords(no_db_index=list(unindexed), excluded_fields=list(excluded))


class ParticipantRule(models.TextChoices):
    """When a client becomes a participant of a programme (ESF+), and so the entry date: the
    day their ESF+ entry record is taken."""

    PLAN_SIGNED = "plan_signed", _("the client signs the individual development plan")
    PLAN_APPROVED = "plan_approved", _("the individual development plan is approved")
    INTAKE_COMPLETED = "intake_completed", _("the intake is completed")


class Programme(models.Model):
    """A funded programme. Its settings (data, not code) shape the journey of its cases."""

    name = models.CharField(_("name"), max_length=200)
    funder_code = models.CharField(
        _("funder code"),
        max_length=60,
        unique=True,
        help_text=_("The grant identifier, for example EFOP-1.5.3-16-2017-00062."),
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    starts_on = models.DateField(_("start of the period"))
    ends_on = models.DateField(_("end of the period"))
    uses_training = models.BooleanField(_("uses competence trainings / counselling"), default=True)
    uses_screening = models.BooleanField(_("uses health screening"), default=True)
    uses_placement = models.BooleanField(_("uses labour-market placement"), default=True)
    uses_follow_up = models.BooleanField(_("uses follow-up"), default=True)
    attendance_threshold = models.PositiveSmallIntegerField(
        _("sessions to attend"),
        default=9,
        help_text=_("Sessions a client must attend before leaving the training stage."),
    )
    planned_sessions = models.PositiveSmallIntegerField(_("sessions planned"), default=10)
    first_follow_up_days = models.PositiveSmallIntegerField(
        _("first follow-up after (days)"), default=28
    )
    second_follow_up_days = models.PositiveSmallIntegerField(
        _("second follow-up after (days)"), default=182
    )
    # Hungarian practice by default: a participant is a client who signed the plan.
    participant_rule = models.CharField(
        _("a client becomes a participant when"),
        max_length=20,
        choices=ParticipantRule.choices,
        default=ParticipantRule.PLAN_SIGNED,
    )
    # The funder keeps the right to audit the case files for this many years after the
    # programme's end: until then a client's data may not be erased (privacy.retention).
    retention_years = models.PositiveSmallIntegerField(
        _("retention after the programme ends (years)"),
        default=10,
        help_text=_("The funder's retention hold: case files are kept this long after the end."),
    )

    history = history_indexed_only_as_read("funder_code")

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programme_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(attendance_threshold__lte=models.F("planned_sessions")),
                name="programme_threshold_within_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.funder_code})"

    @property
    def stages(self) -> list[str]:
        """The stages a case of this programme passes through, in order."""
        used = {
            Stage.TRAINING: self.uses_training,
            Stage.SCREENING: self.uses_screening,
            Stage.PLACEMENT: self.uses_placement,
            Stage.FOLLOW_UP: self.uses_follow_up,
        }
        return [stage for stage in Stage.journey() if used.get(stage, True)]


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    NGO = "ngo", _("NGO")
    LABOUR_OFFICE = "labour_office", _("labour office")
    HEALTH_OFFICE = "health_office", _("health-promotion office")
    OTHER = "other", _("other partner")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    settlement = models.CharField(_("settlement"), max_length=100)
    programmes = models.ManyToManyField(
        Programme,
        through="ConsortiumMembership",
        related_name="organisations",
        verbose_name=_("programmes"),
    )

    history = history_indexed_only_as_read("name")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_partner_office(self) -> bool:
        return self.kind in {OrganisationKind.LABOUR_OFFICE, OrganisationKind.HEALTH_OFFICE}


class ConsortiumRole(models.TextChoices):
    LEAD = "lead", _("consortium lead")
    MEMBER = "member", _("consortium member")
    PARTNER = "partner", _("partner office")


class ConsortiumMembership(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=ConsortiumRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consortium membership")
        verbose_name_plural = _("consortium memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"], name="one_membership_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.programme} ({self.get_role_display()})"


class StaffProfile(models.Model):
    """Which organisation a staff member works for. Their role is their Django group."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", verbose_name=_("organisation")
    )
    # Notifications are written in the recipient's language, whoever triggers them.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="hu"
    )

    history = history_indexed_only_as_read("organisation")

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class StaffEventKind(models.TextChoices):
    INVITED = "invited", _("invited")
    ROLE_CHANGED = "role_changed", _("role changed")
    DEACTIVATED = "deactivated", _("deactivated")
    REACTIVATED = "reactivated", _("reactivated")
    PASSWORD_RESET = "password_reset", _("password reset sent")


class StaffEvent(models.Model):
    """One change to a member of staff's account, made by a programme admin or a supervisor.

    The account itself is Django's user (whose history would hold password hashes), so the
    audit trail of staff management is this append-only list: who did what to whom, when and
    why. ``casework.staff`` writes it in the same transaction as the change."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_events",
        verbose_name=_("member of staff"),
    )
    kind = models.CharField(_("change"), max_length=20, choices=StaffEventKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    role_before = models.CharField(_("role before"), max_length=20, blank=True)
    role_after = models.CharField(_("role after"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now)

    history = history_indexed_only_as_read("organisation", "made_by")

    class Meta:
        verbose_name = _("staff change")
        verbose_name_plural = _("staff changes")
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-made_at"])]
        permissions = [("manage_staff", _("Can invite staff and change their accounts"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.staff}"


# --------------------------------------------------------------------------------------------
# Clients (ESF common indicators at entry)
# --------------------------------------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    NON_BINARY = "non_binary", _("non-binary")


class LabourMarketStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("unemployed")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("long-term unemployed")
    INACTIVE = "inactive", _("inactive")
    INACTIVE_IN_EDUCATION = "inactive_in_education", _("inactive, in education or training")
    EMPLOYED = "employed", _("employed, including self-employed")
    PUBLIC_WORKS = "public_works", _("in public works (közfoglalkoztatás)")


class EducationLevel(models.TextChoices):
    ISCED_0_1 = "isced_0_1", _("primary or below (ISCED 0–1)")
    ISCED_2 = "isced_2", _("lower secondary (ISCED 2)")
    ISCED_3_4 = "isced_3_4", _("upper secondary or post-secondary (ISCED 3–4)")
    ISCED_5_8 = "isced_5_8", _("tertiary (ISCED 5–8)")


class Household(models.TextChoices):
    JOBLESS = "jobless", _("jobless household")
    JOBLESS_WITH_CHILDREN = "jobless_with_children", _("jobless household with dependent children")
    SINGLE_ADULT_WITH_CHILDREN = (
        "single_adult_with_children",
        _("single adult with dependent children"),
    )
    OTHER = "other", _("other household")


class TargetGroup(models.TextChoices):
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("long-term unemployed")
    SEGREGATED_SETTLEMENT = "segregated_settlement", _("lives in a segregated settlement")
    YOUNG_PERSON = "young_person", _("young person (under 30)")
    SINGLE_PARENT = "single_parent", _("single parent")
    # "Person with a disability" and "ex-offender" are not ticked here: they would reveal a
    # special category to every role that sees the client. They follow from the client's
    # special-category records (``privacy.special.TARGET_GROUP_CATEGORIES``).
    HOMELESS = "homeless", _("homeless or housing-excluded")
    OLDER_WORKER = "older_worker", _("over 50")


class Client(models.Model):
    """A participant. Personal data and the ESF situation at entry.

    Special-category data (ethnicity, health, disability, criminal record) is not kept here but
    in ``privacy.SpecialCategoryRecord``, which only entitled roles read (``privacy.can_see``).
    """

    # History from before the special categories moved out may hold the disability and
    # ex-offender target groups: the audit trail shows changes of the field only to users
    # entitled to every special category of the case.
    SPECIAL_CATEGORY_FIELDS = ("target_groups",)

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("organisation"),
    )
    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    # The names folded for search (casework/search.py), kept by save(); derived, so not in the
    # history, which has the names themselves.
    family_key = models.CharField(max_length=100, editable=False, default="")
    given_key = models.CharField(max_length=100, editable=False, default="")
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    settlement = models.CharField(_("settlement"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    labour_market_status = models.CharField(
        _("labour-market status at entry"),
        max_length=30,
        choices=LabourMarketStatus.choices,
        blank=True,
    )
    education_level = models.CharField(
        _("education level at entry"), max_length=12, choices=EducationLevel.choices, blank=True
    )
    household = models.CharField(
        _("household situation"), max_length=30, choices=Household.choices, blank=True
    )
    # ESF+ entry data (casework/entry.py snapshots it when the client becomes a participant).
    # The exact date of birth makes the age on the entry date exact; the year alone leaves it
    # open by one year.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    unemployed_since = models.DateField(
        _("unemployed since"),
        null=True,
        blank=True,
        help_text=_("For an unemployed client: long-term unemployment is counted from this day."),
    )
    third_country_national = models.BooleanField(_("third-country national"), null=True, blank=True)
    foreign_origin = models.BooleanField(_("of foreign origin"), null=True, blank=True)
    housing_exclusion = models.BooleanField(
        _("homeless or affected by housing exclusion"), null=True, blank=True
    )
    target_groups = models.JSONField(
        _("target groups"),
        default=list,
        blank=True,
        help_text=_("The programme target groups the client belongs to."),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    history = history_indexed_only_as_read("organisation", excluded=("family_key", "given_key"))

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["organisation", "family_name", "given_name"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.fold_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"family_name", "given_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "family_key", "given_key"}
        super().save(*args, **kwargs)

    def fold_names(self) -> None:
        """Keep the folded search columns in step with the names (bulk inserts bypass save)."""
        self.family_key, self.given_key = folded(self.family_name), folded(self.given_name)

    def clean(self) -> None:
        super().clean()
        allowed = set(TargetGroup.values)
        if not isinstance(self.target_groups, list) or not set(self.target_groups) <= allowed:
            raise ValidationError({"target_groups": _("Choose target groups from the list.")})
        this_year = timezone.localdate().year
        low, high = this_year - 100, this_year - 14
        if self.birth_year is not None and not low <= self.birth_year <= high:
            message = _("The year of birth must be between %(low)s and %(high)s.")
            raise ValidationError({"birth_year": message % {"low": low, "high": high}})
        if self.birth_date is not None:
            if self.birth_year is None:
                self.birth_year = self.birth_date.year
            elif self.birth_year != self.birth_date.year:
                raise ValidationError(
                    {"birth_date": _("The date of birth does not match the year of birth.")}
                )
        if self.unemployed_since is not None and self.unemployed_since > timezone.localdate():
            raise ValidationError({"unemployed_since": _("The date cannot be in the future.")})

    @property
    def full_name(self) -> str:
        # Hungarian order: family name first.
        return f"{self.family_name} {self.given_name}"

    def missing_entry_data(self) -> list[str]:
        """Names of the ESF entry fields still empty."""
        required = ["birth_year", "gender", "labour_market_status", "education_level", "household"]
        missing = [
            str(self._meta.get_field(name).verbose_name)
            for name in required
            if getattr(self, name) in (None, "")
        ]
        if not self.target_groups and not special_target_groups(self.pk):
            missing.append(str(self._meta.get_field("target_groups").verbose_name))
        return missing


# --------------------------------------------------------------------------------------------
# The case and its journey
# --------------------------------------------------------------------------------------------


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("completed the programme")
    DROPPED_OUT = "dropped_out", _("dropped out")
    INELIGIBLE = "ineligible", _("found ineligible")
    MOVED_AWAY = "moved_away", _("moved away")
    DECEASED = "deceased", _("deceased")
    OTHER = "other", _("other reason")


EARLY_OUTCOMES = [choice for choice in Outcome if choice != Outcome.COMPLETED]


# django-fsm runs a transition method before it asks GET_STATE for the target, and ``resume`` and
# ``reopen`` clear the field their target is read from: they keep the value in ``_return_to``.


def _suspended_from(case: Case) -> str:
    return getattr(case, "_return_to", "") or case.suspended_from


def _reopen_target(case: Case, *, to_intake: bool = False) -> str:
    closed_from = getattr(case, "_return_to", "") or case.closed_from
    return Stage.INTAKE if to_intake or not closed_from else closed_from


class Case(FSMModelMixin, models.Model):
    """One client's journey in one programme.

    ``stage`` says what is true about the client; the Viewflow process of the case says who must
    do what next. Transition methods only set fields and declare guards: locking, permissions,
    history and notifications belong to ``casework.services``.
    """

    number = models.CharField(_("case number"), max_length=40, unique=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="cases", verbose_name=_("client")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cases", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation")
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_as_social_worker",
        verbose_name=_("social worker"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_as_mentor",
        verbose_name=_("mentor"),
        null=True,
        blank=True,
    )
    stage = FSMField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, protected=True
    )
    suspended_from = models.CharField(
        _("suspended from stage"), max_length=20, choices=Stage.choices, blank=True
    )
    closed_from = models.CharField(
        _("closed from stage"), max_length=20, choices=Stage.choices, blank=True
    )
    consent_given_on = models.DateField(_("consent recorded on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closure_reason = models.TextField(_("reason for closing"), blank=True)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)

    history = history_indexed_only_as_read(
        "number", "client", "programme", "organisation", "social_worker", "mentor"
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-stage_changed_at", "-id"]
        # Each scope of the case list (organisation, organisation and stage, mentor) with its
        # whole sort order, so that a page is an ordered index range scan (BENCHMARKS.md, P2).
        indexes = [
            models.Index(fields=["organisation", "stage", "-stage_changed_at", "-id"]),
            models.Index(fields=["organisation", "-stage_changed_at", "-id"]),
            models.Index(fields=["mentor", "-stage_changed_at", "-id"]),
        ]
        permissions = [
            ("assign_mentor", _("Can assign a mentor to a case")),
            ("complete_intake", _("Can complete the intake of a case")),
            ("advance_case", _("Can move a case to its next stage")),
            ("suspend_case", _("Can suspend and resume a case")),
            ("close_case", _("Can close a case early")),
            ("reopen_case", _("Can reopen a closed case")),
            ("record_casework", _("Can record sessions, screenings, placements and follow-ups")),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("casework:case_detail", args=[self.pk])

    # -- questions -------------------------------------------------------------------------

    @property
    def is_active(self) -> bool:
        return self.stage in Stage.active()

    def next_stage(self) -> str:
        return next_stage(self.stage, self.programme.stages)

    def missing_to_advance(self) -> list[str]:
        """What the current stage still needs before the case may leave it (translated)."""
        return exit_requirements_missing(self)

    @contextmanager
    def exit_requirements_checked(self):
        """Inside the block, the stage's exit requirements count as met: the service has just
        checked them on the locked row, and django-fsm would check them twice more
        (``can_proceed`` and the transition itself), each time with the stage's queries
        (attendance count, goals). Only for the stage the case is in when the block opens."""
        self._exit_requirements_checked_at = self.stage
        try:
            yield
        finally:
            del self._exit_requirements_checked_at

    def _exit_requirements_met(self) -> bool:
        if getattr(self, "_exit_requirements_checked_at", None) == self.stage:
            return True
        return not self.missing_to_advance()

    def _is_active(self) -> bool:
        return self.is_active

    # -- transitions: set fields only ------------------------------------------------------

    @transition(
        field=stage,
        source=Stage.active(),
        target=GET_STATE(lambda case: case.next_stage(), states=Stage.values),
        conditions=[_exit_requirements_met],
    )
    def advance(self) -> None:
        now = timezone.now()
        self.stage_changed_at = now
        if self.next_stage() == Stage.CLOSED:
            self.outcome = Outcome.COMPLETED
            self.closed_from = self.stage
            self.closed_on = timezone.localdate(now)

    @transition(field=stage, source=Stage.active(), target=Stage.SUSPENDED)
    def suspend(self) -> None:
        self.suspended_from = self.stage
        self.stage_changed_at = timezone.now()

    @transition(
        field=stage,
        source=Stage.SUSPENDED,
        target=GET_STATE(_suspended_from, states=Stage.active()),
    )
    def resume(self) -> None:
        self._return_to = self.suspended_from
        self.suspended_from = ""
        self.stage_changed_at = timezone.now()

    @transition(field=stage, source=[*Stage.active(), Stage.SUSPENDED], target=Stage.CLOSED)
    def close_early(self, *, outcome: str, reason: str) -> None:
        self.closed_from = self.suspended_from or self.stage
        self.suspended_from = ""
        self.outcome = outcome
        self.closure_reason = reason
        self.closed_on = timezone.localdate()
        self.stage_changed_at = timezone.now()

    @transition(
        field=stage,
        source=Stage.CLOSED,
        target=GET_STATE(_reopen_target, states=Stage.active()),
    )
    def reopen(self, *, to_intake: bool = False) -> None:
        self._return_to = self.closed_from
        self.outcome = ""
        self.closure_reason = ""
        self.closed_on = None
        self.closed_from = ""
        self.stage_changed_at = timezone.now()


# --------------------------------------------------------------------------------------------
# Individual development plan
# --------------------------------------------------------------------------------------------


class DevelopmentPlan(models.Model):
    """The individual development plan (egyéni fejlesztési terv)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plans_authored",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    summary = models.TextField(_("summary of needs and strengths"), blank=True)
    client_agreed_on = models.DateField(_("client agreed on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plans_approved",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    review_comment = models.TextField(_("supervisor's comment"), blank=True)

    history = history_indexed_only_as_read("author", "approved_by")

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        permissions = [
            ("draft_plan", _("Can draft a development plan")),
            ("approve_plan", _("Can approve a development plan")),
        ]
        constraints = [
            # Four-eyes, also at the database level.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("author")),
                name="plan_not_approved_by_author",
            )
        ]

    def __str__(self) -> str:
        return str(_("Development plan of %(case)s") % {"case": self.case})

    @property
    def is_editable(self) -> bool:
        return self.status in {PlanStatus.DRAFT, PlanStatus.RETURNED}


class GoalArea(models.TextChoices):
    EMPLOYMENT = "employment", _("employment")
    EDUCATION = "education", _("education and skills")
    HEALTH = "health", _("health and well-being")
    HOUSING = "housing", _("housing")
    FAMILY = "family", _("family and children")
    FINANCES = "finances", _("finances and debt")
    COMMUNITY = "community", _("community and social ties")


class Goal(models.Model):
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="goals")
    area = models.CharField(_("area"), max_length=20, choices=GoalArea.choices)
    description = models.TextField(_("goal"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    achieved = models.BooleanField(_("achieved"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60]


# --------------------------------------------------------------------------------------------
# Trainings and counselling
# --------------------------------------------------------------------------------------------


class SessionKind(models.TextChoices):
    TRAINING = "training", _("competence training")
    COUNSELLING = "counselling", _("counselling")


class SessionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    GROUP = "group", _("group")


class Session(models.Model):
    """A competence training or counselling session; attendance links it to cases."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SessionKind.choices)
    format = models.CharField(_("format"), max_length=12, choices=SessionFormat.choices)
    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("held on"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sessions_facilitated",
        verbose_name=_("facilitator"),
    )

    history = history_indexed_only_as_read("organisation", "facilitator")

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%Y-%m-%d})"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "case"], name="one_attendance_per_session")
        ]
        indexes = [models.Index(fields=["case", "present"])]

    def __str__(self) -> str:
        return f"{self.case} @ {self.session}"


# --------------------------------------------------------------------------------------------
# Health screening, placement, follow-up, referrals
# --------------------------------------------------------------------------------------------


class ScreeningStatus(models.TextChoices):
    DONE = "done", _("screening done")
    DECLINED = "declined", _("declined by the client")


class HealthScreening(models.Model):
    """Voluntary health screening. Results are health data: only the fact is stored here."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="screening")
    status = models.CharField(_("status"), max_length=10, choices=ScreeningStatus.choices)
    screened_on = models.DateField(_("date"))
    referred_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("referred to"),
    )

    history = history_indexed_only_as_read("referred_to")

    class Meta:
        verbose_name = _("health screening")
        verbose_name_plural = _("health screenings")

    def __str__(self) -> str:
        return f"{self.case}: {self.get_status_display()}"


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("permanent contract")
    FIXED_TERM = "fixed_term", _("fixed-term contract")
    PART_TIME = "part_time", _("part-time")
    PUBLIC_WORKS = "public_works", _("public works")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    TRAINING = "training", _("vocational training")


class ExitOutcome(models.TextChoices):
    EMPLOYED = "employed", _("employed")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    IN_EDUCATION = "in_education", _("in education or training")
    JOB_SEEKING = "job_seeking", _("job-seeking")
    INACTIVE = "inactive", _("inactive")


class Placement(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="placement")
    employer = models.CharField(_("employer or training provider"), max_length=200, blank=True)
    contract_type = models.CharField(
        _("contract type"), max_length=20, choices=ContractType.choices, blank=True
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    exit_outcome = models.CharField(
        _("outcome at exit"), max_length=20, choices=ExitOutcome.choices, blank=True
    )
    exit_recorded_on = models.DateField(_("outcome recorded on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.case}: {self.employer or self.get_exit_outcome_display()}"

    def clean(self) -> None:
        super().clean()
        placed = self.exit_outcome in {ExitOutcome.EMPLOYED, ExitOutcome.SELF_EMPLOYED}
        if placed and not (self.employer and self.contract_type and self.starts_on):
            raise ValidationError(
                _("An employment outcome needs the employer, the contract type and the start date.")
            )


class FollowUpKind(models.TextChoices):
    FIRST = "first", _("first follow-up (4 weeks)")
    SECOND = "second", _("second follow-up (6 months)")


# The questions each follow-up asks: exactly the ESF+ common result indicators (Regulation (EU)
# 2021/1057, Annex I): at exit (within four weeks of leaving) and six months after leaving.
FOLLOW_UP_QUESTIONS = {
    FollowUpKind.FIRST: ("job_searching", "in_education", "gained_qualification", "employed"),
    FollowUpKind.SECOND: ("employed", "improved_situation"),
}


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=10, choices=FollowUpKind.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.PENDING
    )
    contacted_on = models.DateField(_("contacted on"), null=True, blank=True)
    situation = models.CharField(
        _("situation"), max_length=20, choices=ExitOutcome.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    # The ESF+ result questions (FOLLOW_UP_QUESTIONS says which kind asks which); None: not
    # asked or not answered.
    job_searching = models.BooleanField(_("job searching"), null=True, blank=True)
    in_education = models.BooleanField(_("in education or training"), null=True, blank=True)
    gained_qualification = models.BooleanField(_("gained a qualification"), null=True, blank=True)
    employed = models.BooleanField(
        _("in employment, including self-employment"), null=True, blank=True
    )
    improved_situation = models.BooleanField(
        _("improved labour-market situation"), null=True, blank=True
    )
    # The day the client left (the follow-ups count from it), and how many days after it the
    # client answered: the result windows (within four weeks, six months after) are read from
    # this number, so that they are one plain comparison in SQL on every database.
    exit_on = models.DateField(_("left the programme on"), null=True, blank=True)
    days_after_exit = models.PositiveSmallIntegerField(
        _("days after leaving"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="one_follow_up_per_kind")
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status == FollowUpStatus.PENDING and self.due_on < timezone.localdate()


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("sent")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", pgettext_lazy("referral status", "closed")


class Referral(models.Model):
    """A referral to a partner office, which usually has no account: staff record the answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("partner organisation"),
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    referred_on = models.DateField(_("referred on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    history = history_indexed_only_as_read("partner")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} → {self.partner}"


def follow_up_due_dates(programme: Programme, start: datetime.date) -> dict[str, datetime.date]:
    return {
        FollowUpKind.FIRST: start + datetime.timedelta(days=programme.first_follow_up_days),
        FollowUpKind.SECOND: start + datetime.timedelta(days=programme.second_follow_up_days),
    }


# --------------------------------------------------------------------------------------------
# ESF+ entry record (Regulation (EU) 2021/1057, Annex I common indicators)
# --------------------------------------------------------------------------------------------


class Settlement(models.Model):
    """A settlement the programmes work in, with its degree of urbanisation: the participant's
    rural residence is read from here (data, kept by the programme admin)."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    name = models.CharField(_("name"), max_length=100)
    rural = models.BooleanField(
        _("rural area"), help_text=_("Thinly populated area (degree of urbanisation 3).")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="settlement_once_per_country")
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeLocation(models.Model):
    """A settlement a programme serves (its grant agreement names them). Targets per location
    and the set-up pages read them; ``casework.setup`` adds and removes them."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="locations", verbose_name=_("programme")
    )
    settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        related_name="programme_locations",
        verbose_name=_("settlement"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme location")
        verbose_name_plural = _("programme locations")
        ordering = ["programme", "settlement__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "settlement"], name="programme_location_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.settlement)


class AgeBand(models.TextChoices):
    UNDER_18 = "lt18", _("below 18")
    FROM_18_TO_29 = "18_29", _("18–29")
    FROM_30_TO_54 = "30_54", _("30–54")
    FROM_55 = "55plus", _("55 and over")


class EntryLabourStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("unemployed")
    INACTIVE = "inactive", _("inactive")
    EMPLOYED = "employed", _("employed, including self-employed")


class EntryEducation(models.TextChoices):
    ISCED_0_2 = "isced_0_2", _("ISCED 0–2")
    ISCED_3_4 = "isced_3_4", _("ISCED 3–4")
    ISCED_5_8 = "isced_5_8", _("ISCED 5–8")


class EntryRecord(models.Model):
    """A participant's characteristics on the entry date, as they were then: later edits of
    the client do not change it; corrections go through ``entry_record_correct`` and are in
    its history. One per person and programme: a person with two cases entered once.

    Disability and minority are not here: they are special-category data kept by ``privacy``
    (the dashboard's breakdown is reporting/special_breakdowns.py, the data sheet's columns
    reporting/datasheet.py)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="entry_records", verbose_name=_("client")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("case of entry")
    )
    entry_date = models.DateField(_("entry date"))
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # Derived from the above on the entry date (casework/entry.py), stored so that every
    # breakdown is one SQL aggregation.
    age = models.PositiveSmallIntegerField(_("age on the entry date"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    labour_status = models.CharField(
        _("labour-market status"), max_length=12, choices=EntryLabourStatus.choices, blank=True
    )
    unemployed_since = models.DateField(_("unemployed since"), null=True, blank=True)
    long_term_unemployed = models.BooleanField(_("long-term unemployed"), null=True, blank=True)
    education = models.CharField(
        _("education (ISCED)"), max_length=12, choices=EntryEducation.choices, blank=True
    )
    third_country_national = models.BooleanField(_("third-country national"), null=True, blank=True)
    foreign_origin = models.BooleanField(_("of foreign origin"), null=True, blank=True)
    housing_exclusion = models.BooleanField(
        _("homeless or affected by housing exclusion"), null=True, blank=True
    )
    settlement = models.CharField(_("settlement"), max_length=100, blank=True)
    rural = models.BooleanField(_("rural residence"), null=True, blank=True)
    complete = models.BooleanField(_("complete"), default=False)
    taken_at = models.DateTimeField(_("taken"), default=timezone.now)

    history = history_indexed_only_as_read("client", "programme", "case")

    class Meta:
        verbose_name = _("ESF+ entry record")
        verbose_name_plural = _("ESF+ entry records")
        ordering = ["entry_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "programme"], name="one_entry_record_per_participant"
            )
        ]
        indexes = [models.Index(fields=["programme", "complete", "entry_date"])]

    def __str__(self) -> str:
        return f"{self.case} ({self.entry_date:%Y-%m-%d})"

    def missing(self) -> list[str]:
        """The characteristics the record still lacks (translated), empty when complete."""
        from .entry import entry_record_missing

        return entry_record_missing(self)


class ClientImport(models.Model):
    """An uploaded client register held until the uploader confirms it (casework/register_import).

    The rows are personal data in transit, not a record: they are not tracked by history (which
    would keep a copy after the import is done or abandoned), the row is deleted when the
    import is confirmed, and ``manage.py purge_expired`` deletes stale ones
    (``register_import.STALE_AFTER``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # Per row: {"row": row number in the file, "values": {field: JSON value}}.
    rows = models.JSONField(default=list)
    # [{"row", "column", "field", "messages"}]: what stops the import.
    problems = models.JSONField(default=list)
    # [{"row", "name", "birth_year", "client_id" or "other_row"}]: possible duplicates.
    duplicates = models.JSONField(default=list)
    # File headers that match no client field (an address column, say): shown, not imported.
    ignored_columns = models.JSONField(default=list)

    class Meta:
        verbose_name = _("staged client import")
        verbose_name_plural = _("staged client imports")
        permissions = [("import_clients", _("Can import a client register"))]
        indexes = [models.Index(fields=["uploaded_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({len(self.rows)})"
