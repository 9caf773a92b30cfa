"""What the API reads and accepts. Output serializers only format rows; input serializers only
check types and shapes: every rule of the domain stays in ``casework.services``."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.journey import Stage
from casework.models import (
    EARLY_OUTCOMES,
    Attendance,
    Case,
    Client,
    ContractType,
    DevelopmentPlan,
    ExitOutcome,
    FollowUp,
    FollowUpStatus,
    Goal,
    GoalArea,
    HealthScreening,
    Placement,
    Programme,
    Referral,
    ScreeningStatus,
    Session,
    SessionFormat,
    SessionKind,
    TargetGroup,
)
from casework.services import CLIENT_FIELDS
from notifications.models import Notification
from privacy import selectors as privacy_selectors
from privacy.models import Answer, Minority, SpecialCategory

from .fields import (
    QueryBooleanField,
    StrictBooleanField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
)

# The largest id a path or a body may name: beyond it a database integer would overflow.
MAX_ID = 10**18 - 1


def IdField(**kwargs) -> serializers.IntegerField:
    """An id in a JSON body: an integer."""
    return StrictIntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def QueryIdField(**kwargs) -> serializers.IntegerField:
    """An id in the query string: digits."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def Text(max_length: int, **kwargs) -> serializers.CharField:
    return StrictCharField(max_length=max_length, trim_whitespace=True, **kwargs)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is a 400 instead of a silent no-op."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError(
                    {str(name): [_("Unknown field.")] for name in unknown}
                )
        return super().to_internal_value(data)


class ReadSerializer(serializers.ModelSerializer):
    """Output of model rows. Keeps ``allow_blank`` on read-only fields, so that the schema's
    enums of optional choices include the empty string that the rows do hold."""

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank:
            kwargs["allow_blank"] = True
        return kwargs


class StrictModelSerializer(StrictSerializer, ReadSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.DateField: StrictDateField,
    }


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.SerializerMethodField()

    def get_full_name(self, user) -> str:
        return user.get_full_name() or user.username


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ClientRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    stage = serializers.CharField(read_only=True)


class ProgrammeSerializer(ReadSerializer):
    stages = serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices))
    partner_offices = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "funder_code",
            "country",
            "starts_on",
            "ends_on",
            "stages",
            "attendance_threshold",
            "planned_sessions",
            "partner_offices",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(many=True))
    def get_partner_offices(self, programme):
        return NamedRefSerializer(programme.partner_offices, many=True).data


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------


class ClientSerializer(StrictModelSerializer):
    """A client. Special-category data is not part of the client (``privacy``): a case's
    detail carries the categories the user is entitled to, as ``special_categories``."""

    organisation = NamedRefSerializer(read_only=True)
    full_name = serializers.CharField(read_only=True)
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.choices),
        max_length=len(TargetGroup.choices),
        required=False,
    )
    birth_year = StrictIntegerField(min_value=0, max_value=9999, allow_null=True, required=False)

    class Meta:
        model = Client
        # The writable fields are exactly those the client services accept.
        fields = ["id", "organisation", "full_name", *CLIENT_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]


class ClientRegisterSerializer(ClientSerializer):
    """A client to register: the client's fields, and the caller's word that a client of the
    same name and year of birth already in the organisation is another person."""

    accept_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Register even though a client of the organisation has the same name and "
        "year of birth (refused otherwise, with the error on this field).",
    )

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "accept_duplicate"]


class ClientDetailSerializer(ClientSerializer):
    cases = serializers.SerializerMethodField()

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "cases"]

    @extend_schema_field(CaseRefSerializer(many=True))
    def get_cases(self, client):
        return CaseRefSerializer(self.context.get("cases", []), many=True).data


# --------------------------------------------------------------------------------------------
# Cases and their records
# --------------------------------------------------------------------------------------------


class GoalSerializer(ReadSerializer):
    class Meta:
        model = Goal
        fields = ["id", "area", "description", "target_date", "achieved"]
        read_only_fields = fields


class PlanSerializer(ReadSerializer):
    author = UserRefSerializer(read_only=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)
    goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "status",
            "summary",
            "client_agreed_on",
            "author",
            "submitted_at",
            "approved_by",
            "approved_at",
            "review_comment",
            "goals",
        ]
        read_only_fields = fields


class ScreeningSerializer(ReadSerializer):
    referred_to = NamedRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = HealthScreening
        fields = ["id", "status", "screened_on", "referred_to"]
        read_only_fields = fields


class PlacementSerializer(ReadSerializer):
    class Meta:
        model = Placement
        fields = [
            "id",
            "employer",
            "contract_type",
            "starts_on",
            "exit_outcome",
            "exit_recorded_on",
        ]
        read_only_fields = fields


class FollowUpSerializer(ReadSerializer):
    case = CaseRefSerializer(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "case",
            "kind",
            "due_on",
            "status",
            "contacted_on",
            "situation",
            "job_searching",
            "in_education",
            "gained_qualification",
            "employed",
            "improved_situation",
            "days_after_exit",
            "notes",
            "is_overdue",
        ]
        read_only_fields = fields


class ReferralSerializer(ReadSerializer):
    case = CaseRefSerializer(read_only=True)
    partner = NamedRefSerializer(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "partner",
            "purpose",
            "referred_on",
            "status",
            "answer",
            "answered_on",
        ]
        read_only_fields = fields


class CaseSerializer(ReadSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    client = ClientRefSerializer(read_only=True)
    programme = NamedRefSerializer(read_only=True)
    social_worker = UserRefSerializer(read_only=True)
    mentor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "stage",
            "stage_label",
            "client",
            "programme",
            "social_worker",
            "mentor",
            "opened_on",
            "stage_changed_at",
        ]
        read_only_fields = fields


class SpecialCategorySerializer(serializers.Serializer):
    """One special category of the client, as recorded (``answer`` is null when nothing is)."""

    category = serializers.ChoiceField(choices=SpecialCategory.choices)
    answer = serializers.ChoiceField(choices=Answer.choices, allow_null=True)
    minority = serializers.ChoiceField(choices=Minority.choices, allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


@extend_schema_field(SpecialCategorySerializer(many=True))
class SpecialCategoriesField(serializers.Field):
    """The special categories the requesting user may see on the case (output only).

    Not read-only on purpose: the schema then lists it as optional, which it is, since a user
    entitled to no category receives no such key."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, case):
        return [
            {
                "category": item["category"],
                "answer": item["record"].answer if item["record"] else None,
                "minority": item["record"].minority if item["record"] else "",
                "note": item["record"].note if item["record"] else "",
                "recorded_at": (
                    serializers.DateTimeField().to_representation(item["record"].recorded_at)
                    if item["record"]
                    else None
                ),
            }
            for item in self.parent.special
        ]

    def to_internal_value(self, data):
        raise serializers.ValidationError("read only")


class CaseDetailSerializer(CaseSerializer):
    """A case. ``special_categories`` lists only the categories the user is entitled to see
    (``privacy.can_see``); a user entitled to none receives no such key at all."""

    organisation = NamedRefSerializer(read_only=True)
    next_stage = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()
    screening = serializers.SerializerMethodField()
    placement = serializers.SerializerMethodField()
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    referrals = ReferralSerializer(many=True, read_only=True)
    sessions_attended = serializers.SerializerMethodField()
    special_categories = SpecialCategoriesField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "organisation",
            "suspended_from",
            "closed_from",
            "consent_given_on",
            "outcome",
            "closure_reason",
            "closed_on",
            "next_stage",
            "missing",
            "plan",
            "screening",
            "placement",
            "follow_ups",
            "referrals",
            "sessions_attended",
            "special_categories",
        ]
        read_only_fields = fields

    def to_representation(self, case):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.special = privacy_selectors.special_categories_for(user, case) if user else []
        data = super().to_representation(case)
        if not self.special:
            del data["special_categories"]
        return data

    @extend_schema_field(serializers.ChoiceField(choices=Stage.choices, allow_null=True))
    def get_next_stage(self, case):
        return case.next_stage() if case.is_active else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, case):
        """What the current stage still needs before the case may move on (translated)."""
        return [str(item) for item in case.missing_to_advance()] if case.is_active else []

    @extend_schema_field(PlanSerializer(allow_null=True))
    def get_plan(self, case):
        plan = getattr(case, "plan", None)
        return PlanSerializer(plan).data if plan else None

    @extend_schema_field(ScreeningSerializer(allow_null=True))
    def get_screening(self, case):
        screening = getattr(case, "screening", None)
        return ScreeningSerializer(screening).data if screening else None

    @extend_schema_field(PlacementSerializer(allow_null=True))
    def get_placement(self, case):
        placement = getattr(case, "placement", None)
        return PlacementSerializer(placement).data if placement else None

    def get_sessions_attended(self, case) -> int:
        return sum(1 for row in case.attendance.all() if row.present)


class SessionRefSerializer(ReadSerializer):
    class Meta:
        model = Session
        fields = ["id", "kind", "format", "topic", "held_on", "duration_minutes"]
        read_only_fields = fields


class AttendanceSerializer(ReadSerializer):
    session = SessionRefSerializer(read_only=True)
    case = CaseRefSerializer(read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "session", "case", "present"]
        read_only_fields = fields


class SessionAttendanceSerializer(ReadSerializer):
    case = CaseRefSerializer(read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "case", "present"]
        read_only_fields = fields


class SessionSerializer(ReadSerializer):
    facilitator = UserRefSerializer(read_only=True)
    attendance = SessionAttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "organisation",
            "kind",
            "format",
            "topic",
            "held_on",
            "duration_minutes",
            "facilitator",
            "attendance",
        ]
        read_only_fields = fields


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    created = serializers.DateTimeField(read_only=True)
    owner = UserRefSerializer(read_only=True, allow_null=True)
    pooled = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    def get_name(self, task) -> str:
        return task.flow_task.name

    def get_title(self, task) -> str:
        return str(task.flow_task.task_title)

    def get_pooled(self, task) -> bool:
        """A task waiting in the team's queue, for whoever claims it."""
        return task.owner_id is None

    @extend_schema_field(CaseRefSerializer)
    def get_case(self, task):
        case = self.context["cases"].get(task.process.artifact_object_id)
        return CaseRefSerializer(case).data


class NotificationSerializer(ReadSerializer):
    case = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "title",
            "url",
            "case",
            "task_id",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields


class HistoryEntrySerializer(serializers.Serializer):
    record = serializers.ChoiceField(
        choices=[
            "case",
            "client",
            "plan",
            "goal",
            "session",
            "attendance",
            "screening",
            "placement",
            "follow_up",
            "referral",
        ],
        read_only=True,
    )
    object_id = serializers.IntegerField(read_only=True)
    history_id = serializers.IntegerField(read_only=True)
    history_date = serializers.DateTimeField(read_only=True)
    history_type = serializers.ChoiceField(
        choices=[("+", "created"), ("~", "changed"), ("-", "deleted")], read_only=True
    )
    history_change_reason = serializers.CharField(read_only=True, allow_null=True)
    history_user = UserRefSerializer(read_only=True, allow_null=True)


class TransitionStateSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    allowed = serializers.BooleanField(
        read_only=True, help_text="The user's role may take this step on this case."
    )
    ready = serializers.BooleanField(
        read_only=True, help_text="The case has everything the step needs."
    )
    missing = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="What the step still needs."
    )
    url = serializers.CharField(read_only=True, help_text="POST the step's data here.")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    organisation = NamedRefSerializer(read_only=True, allow_null=True)
    can_see_special_category = serializers.BooleanField(
        read_only=True,
        help_text="Whether the roles may be entitled to special categories on some case; "
        "each case says which (its special_categories).",
    )


# --------------------------------------------------------------------------------------------
# Input: one serializer per service call
# --------------------------------------------------------------------------------------------


class QueryInput(serializers.Serializer):
    """Query-string parameters. An empty value is refused like a wrong one (``?page=`` is not
    "no page"): leave a parameter out to not use it. Unknown parameters are refused by the
    view (``ApiView.initial``)."""

    def to_internal_value(self, data):
        blank = {
            name: [_("Leave the parameter out instead of sending it empty.")]
            for name, field in self.fields.items()
            if data.get(name) == "" and not getattr(field, "allow_blank", False)
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class ClientFilterInput(QueryInput):
    search = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CaseFilterInput(QueryInput):
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    mentor = QueryIdField(required=False)
    programme = QueryIdField(required=False)
    search = serializers.CharField(max_length=100, required=False, allow_blank=True)


class FollowUpFilterInput(QueryInput):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices, required=False)
    overdue = QueryBooleanField(required=False)


class NotificationFilterInput(QueryInput):
    unread = QueryBooleanField(required=False)


class CaseOpenInput(StrictSerializer):
    client = IdField()
    programme = IdField()
    opened_on = serializers.DateField(
        required=False,
        help_text="The date of the signed intake form when it is entered later (default today; "
        "never in the future, never before the programme started).",
    )


class FromStageInput(StrictSerializer):
    from_stage = serializers.ChoiceField(
        choices=Stage.choices,
        help_text="The stage the user saw. If the case has moved on since, the answer is 409.",
    )


class EmptyInput(StrictSerializer):
    pass


class ConsentInput(StrictSerializer):
    given_on = StrictDateField()


class AssignMentorInput(StrictSerializer):
    mentor = IdField()


class SuspendInput(FromStageInput):
    reason = Text(90)


class CloseInput(FromStageInput):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in EARLY_OUTCOMES])
    reason = Text(2000)


class ReopenInput(StrictSerializer):
    reason = Text(90)
    to_intake = StrictBooleanField(default=False)


class PlanApproveInput(StrictSerializer):
    comment = Text(2000, required=False, allow_blank=True, default="")


class PlanReturnInput(StrictSerializer):
    comment = Text(2000)


class PlanInput(StrictSerializer):
    summary = Text(5000, required=False, allow_blank=True, default="")
    client_agreed_on = StrictDateField(required=False, allow_null=True, default=None)


class GoalInput(StrictSerializer):
    area = serializers.ChoiceField(choices=GoalArea.choices)
    description = Text(2000)
    target_date = StrictDateField(required=False, allow_null=True, default=None)


class GoalAchievedInput(StrictSerializer):
    achieved = StrictBooleanField()


class AttendanceLineInput(StrictSerializer):
    case = IdField()
    present = StrictBooleanField(default=True)


class SessionInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    format = serializers.ChoiceField(choices=SessionFormat.choices)
    topic = Text(200)
    held_on = StrictDateField()
    duration_minutes = StrictIntegerField(min_value=10, max_value=600, default=90)
    attendance = serializers.ListField(
        child=AttendanceLineInput(),
        min_length=1,
        max_length=200,
        help_text="One line per client: their case and whether they came.",
    )

    def validate_attendance(self, lines):
        cases = [line["case"] for line in lines]
        if len(cases) != len(set(cases)):
            raise serializers.ValidationError(_("A client is listed twice."))
        return lines


class AttendanceInput(StrictSerializer):
    present = StrictBooleanField()


class ScreeningInput(StrictSerializer):
    status = serializers.ChoiceField(choices=ScreeningStatus.choices)
    screened_on = StrictDateField()
    referred_to = IdField(required=False, allow_null=True, default=None)


class PlacementInput(StrictSerializer):
    employer = Text(200, required=False, allow_blank=True, default="")
    contract_type = serializers.ChoiceField(
        choices=ContractType.choices, required=False, allow_blank=True, default=""
    )
    starts_on = StrictDateField(required=False, allow_null=True, default=None)
    exit_outcome = serializers.ChoiceField(
        choices=ExitOutcome.choices, required=False, allow_blank=True, default=""
    )


class FollowUpInput(StrictSerializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in FollowUpStatus if s != FollowUpStatus.PENDING]
    )
    contacted_on = StrictDateField(required=False, allow_null=True, default=None)
    situation = serializers.ChoiceField(
        choices=ExitOutcome.choices, required=False, allow_blank=True, default=""
    )
    # The answers to the follow-up's ESF+ result questions (casework FOLLOW_UP_QUESTIONS).
    answers = serializers.DictField(
        child=serializers.BooleanField(), required=False, allow_null=True, default=None
    )
    notes = Text(2000, required=False, allow_blank=True, default="")


class ReferralInput(StrictSerializer):
    partner = IdField()
    purpose = Text(200)


class ReferralAnswerInput(StrictSerializer):
    answer = Text(2000)
    answered_on = StrictDateField()
