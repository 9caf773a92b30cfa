"""The HTTP API (DESIGN.md section 3): views read through selectors and write through services,
exactly like the web UI (``web.casework.views``). A record outside the user's scope answers 404; a
refused step answers 400/403/409/422 with ``{code, message}`` and has written nothing
(``api.errors``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors, services
from casework.models import Client
from casework.roles import roles_of
from kernel.errors import InvalidInput, NotFound
from notifications import services as notification_services
from notifications.models import Notification
from privacy import special as privacy_special

from . import selectors as api_selectors
from . import serializers as s
from .pagination import PAGE_PARAMETERS, KeysFirstPagination, Pagination
from .transitions import TRANSITIONS, Transition


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApiView(APIView):
    # Authentication, permission (signed in), JSON and errors come from REST_FRAMEWORK.
    # (No docstring: drf-spectacular would show it on every operation.)

    query_serializer: type[s.QueryInput] | None = None

    def query_parameters(self, method: str) -> set[str]:
        """The query parameters the operation knows; any other one is a 400."""
        if method == "GET" and self.query_serializer is not None:
            return set(self.query_serializer().fields)
        return set()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        unknown = set(request.query_params) - self.query_parameters(request.method)
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in sorted(unknown)})


class ListView(ApiView):
    # A view whose GET answers one page of rows; drf-spectacular reads pagination_class.

    pagination_class = Pagination

    def query_parameters(self, method: str) -> set[str]:
        known = super().query_parameters(method)
        return known | PAGE_PARAMETERS if method == "GET" else known

    @property
    def paginator(self) -> Pagination:
        if not hasattr(self, "_paginator"):
            self._paginator = self.pagination_class()
        return self._paginator

    def paginated(self, rows, serializer_class, **context) -> Response:
        page = self.paginator.paginate_queryset(rows, self.request, view=self)
        serializer = serializer_class(page, many=True, context={"request": self.request, **context})
        return self.paginator.get_paginated_response(serializer.data)


# --------------------------------------------------------------------------------------------
# The user, programmes and mentors
# --------------------------------------------------------------------------------------------


class MeView(ApiView):
    @extend_schema(responses=s.MeSerializer, summary="Who am I: roles and organisation")
    def get(self, request):
        user = request.user
        organisation = selectors.organisation_of(user)
        return Response(
            s.MeSerializer(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "full_name": user.get_full_name() or user.get_username(),
                    "roles": sorted(roles_of(user)),
                    "organisation": organisation,
                    "can_see_special_category": privacy_special.may_ever_see(user),
                }
            ).data
        )


class ProgrammeListView(ApiView):
    @extend_schema(
        responses=s.ProgrammeSerializer(many=True),
        summary="The programmes of the user's organisation, with their partner offices",
    )
    def get(self, request):
        programmes = api_selectors.programmes_with_partner_offices(user=request.user)
        return Response(s.ProgrammeSerializer(programmes, many=True).data)


class MentorListView(ApiView):
    @extend_schema(
        responses=s.UserRefSerializer(many=True),
        summary="Active mentors of the user's organisation (for assign_mentor)",
    )
    def get(self, request):
        organisation = selectors.organisation_of(request.user)
        if organisation is None or not roles_of(request.user):
            return Response([])
        mentors = selectors.mentors_for(organisation=organisation)
        return Response(s.UserRefSerializer(mentors, many=True).data)


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------


class ClientListView(ListView):
    query_serializer = s.ClientFilterInput

    @extend_schema(
        parameters=[s.ClientFilterInput],
        responses=s.ClientSerializer(many=True),
        summary="Clients of the user's visible cases (and, for social workers and "
        "supervisors, of their organisation)",
    )
    def get(self, request):
        criteria = _valid(s.ClientFilterInput, request.query_params)
        clients = selectors.clients_visible_to(request.user).select_related("organisation")
        clients = selectors.find_clients(clients, criteria.get("search", ""))
        clients = clients.order_by("family_name", "given_name", "id")
        return self.paginated(clients, s.ClientSerializer)

    @extend_schema(
        request=s.ClientRegisterSerializer,
        responses={201: s.ClientSerializer},
        summary="Register a client with the user's organisation",
    )
    def post(self, request):
        data = dict(_valid(s.ClientRegisterSerializer, request.data, context={"request": request}))
        accept_duplicate = data.pop("accept_duplicate")
        client = services.client_register(
            user=request.user, data=data, accept_duplicate=accept_duplicate
        )
        client = Client.objects.select_related("organisation").get(pk=client.pk)
        return Response(
            s.ClientSerializer(client, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ClientDetailView(ApiView):
    def _respond(self, request, client_id: int) -> Response:
        client = selectors.client_get(user=request.user, client_id=client_id)
        client = Client.objects.select_related("organisation").get(pk=client.pk)
        cases = selectors.cases_visible_to(request.user).filter(client=client).order_by("id")
        return Response(
            s.ClientDetailSerializer(
                client, context={"request": request, "cases": list(cases)}
            ).data
        )

    @extend_schema(responses=s.ClientDetailSerializer, summary="A client, with their cases")
    def get(self, request, client_id: int):
        return self._respond(request, client_id)

    def _update(self, request, client_id: int, *, partial: bool) -> Response:
        selectors.client_get(user=request.user, client_id=client_id)  # 404 before 400
        data = _valid(
            s.ClientSerializer, request.data, context={"request": request}, partial=partial
        )
        services.client_update(user=request.user, client_id=client_id, data=dict(data))
        return self._respond(request, client_id)

    @extend_schema(
        request=s.ClientSerializer,
        responses=s.ClientDetailSerializer,
        summary="Update a client (the fields given)",
    )
    def put(self, request, client_id: int):
        return self._update(request, client_id, partial=False)

    @extend_schema(
        request=s.ClientSerializer(partial=True),
        responses=s.ClientDetailSerializer,
        summary="Update some fields of a client",
    )
    def patch(self, request, client_id: int):
        return self._update(request, client_id, partial=True)


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


def case_detail_response(request, case_id: int, *, status_code: int = 200) -> Response:
    case = selectors.case_detail(user=request.user, case_id=case_id)
    return Response(
        s.CaseDetailSerializer(case, context={"request": request}).data, status=status_code
    )


class CaseListView(ListView):
    query_serializer = s.CaseFilterInput
    pagination_class = KeysFirstPagination

    @extend_schema(
        parameters=[s.CaseFilterInput],
        responses=s.CaseSerializer(many=True),
        summary="Cases the user can see, newest change first",
    )
    def get(self, request):
        criteria = _valid(s.CaseFilterInput, request.query_params)
        cases = selectors.case_list(
            user=request.user,
            stage=criteria.get("stage", ""),
            mentor_id=criteria.get("mentor"),
            programme_id=criteria.get("programme"),
            search=criteria.get("search", ""),
        ).select_related("social_worker")
        return self.paginated(cases, s.CaseSerializer)

    @extend_schema(
        request=s.CaseOpenInput,
        responses={201: s.CaseDetailSerializer},
        summary="Open a case for a client in a programme (social workers)",
    )
    def post(self, request):
        data = _valid(s.CaseOpenInput, request.data)
        try:
            case = services.case_open(
                user=request.user,
                client_id=data["client"],
                programme_id=data["programme"],
                opened_on=data.get("opened_on"),
            )
        except NotFound:
            raise InvalidInput({"client": [str(NotFound.default_message)]}) from None
        return case_detail_response(request, case.pk, status_code=status.HTTP_201_CREATED)


class CaseDetailView(ApiView):
    @extend_schema(
        responses=s.CaseDetailSerializer,
        summary="A case with its plan, screening, placement, follow-ups and referrals",
    )
    def get(self, request, case_id: int):
        return case_detail_response(request, case_id)


class CaseTransitionListView(ApiView):
    @extend_schema(
        responses=s.TransitionStateSerializer(many=True),
        summary="The journey steps on this case: allowed for the user, ready, what is missing",
    )
    def get(self, request, case_id: int):
        case = selectors.case_detail(user=request.user, case_id=case_id)
        rows = []
        for transition in TRANSITIONS.values():
            missing = [str(item) for item in transition.missing(case, request.user)]
            rows.append(
                {
                    "name": transition.name,
                    "label": str(transition.label),
                    "allowed": transition.allowed(request.user, case),
                    "ready": not missing,
                    "missing": missing,
                    "url": reverse(f"api:transition_{transition.name}", args=[case.pk]),
                }
            )
        return Response(s.TransitionStateSerializer(rows, many=True).data)


class CaseTransitionView(ApiView):
    # One journey step; transition_view() makes a subclass (one operation) per step.

    transition: Transition
    extra_error_codes = (409,)

    def take(self, request, case_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)  # 404 before 400
        data = _valid(self.transition.input, request.data)
        self.transition.run(request.user, case, data)
        return case_detail_response(request, case.pk)


def transition_view(transition: Transition):
    """The view of one step, documented with the step's own request body."""

    @extend_schema(
        operation_id=f"cases_transitions_{transition.name}",
        request=transition.input,
        responses={200: s.CaseDetailSerializer},
        summary=str(transition.label),
        description=transition.description,
        tags=["transitions"],
    )
    def post(self, request, case_id: int):
        return self.take(request, case_id)

    name = "".join(part.title() for part in transition.name.split("_"))
    view = type(
        f"{name}TransitionView",
        (CaseTransitionView,),
        {"transition": transition, "post": post, "__doc__": transition.description},
    )
    return view.as_view()


# --------------------------------------------------------------------------------------------
# Plans and goals
# --------------------------------------------------------------------------------------------


class CasePlanView(ApiView):
    @extend_schema(responses=s.PlanSerializer, summary="The case's development plan")
    def get(self, request, case_id: int):
        plan = api_selectors.plan_of_case(user=request.user, case_id=case_id)
        return Response(s.PlanSerializer(plan).data)

    @extend_schema(
        request=s.PlanInput,
        responses=s.PlanSerializer,
        extensions={"x-journey-stage": "planning"},
        summary="Draft or edit the plan (the case's mentor, while planning)",
    )
    def put(self, request, case_id: int):
        selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(s.PlanInput, request.data)
        services.plan_save(user=request.user, case_id=case_id, **data)
        plan = api_selectors.plan_of_case(user=request.user, case_id=case_id)
        return Response(s.PlanSerializer(plan).data)


class CaseGoalListView(ListView):
    @extend_schema(responses=s.GoalSerializer(many=True), summary="The goals of the case's plan")
    def get(self, request, case_id: int):
        goals = api_selectors.goals_of_case(user=request.user, case_id=case_id)
        return self.paginated(goals, s.GoalSerializer)

    @extend_schema(
        request=s.GoalInput,
        responses={201: s.GoalSerializer},
        summary="Add a goal to the plan (the case's mentor, while planning)",
    )
    def post(self, request, case_id: int):
        selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(s.GoalInput, request.data)
        goal = services.goal_add(user=request.user, case_id=case_id, **data)
        return Response(s.GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class GoalDetailView(ApiView):
    @extend_schema(responses=s.GoalSerializer, summary="A goal")
    def get(self, request, goal_id: int):
        goal = api_selectors.goal_get(user=request.user, goal_id=goal_id)
        return Response(s.GoalSerializer(goal).data)

    @extend_schema(
        request=s.GoalAchievedInput,
        responses=s.GoalSerializer,
        summary="Mark a goal achieved or not (during the whole journey)",
    )
    def patch(self, request, goal_id: int):
        api_selectors.goal_get(user=request.user, goal_id=goal_id)
        data = _valid(s.GoalAchievedInput, request.data)
        goal = services.goal_mark_achieved(
            user=request.user, goal_id=goal_id, achieved=data["achieved"]
        )
        return Response(s.GoalSerializer(goal).data)

    @extend_schema(
        responses={204: None}, summary="Remove a goal (the case's mentor, while planning)"
    )
    def delete(self, request, goal_id: int):
        services.goal_remove(user=request.user, goal_id=goal_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------------
# Sessions and attendance
# --------------------------------------------------------------------------------------------


class SessionListView(ListView):
    @extend_schema(
        responses=s.SessionSerializer(many=True),
        summary="Sessions attended by visible cases (attendance of visible cases only)",
    )
    def get(self, request):
        sessions = api_selectors.sessions_visible_to(request.user)
        return self.paginated(sessions, s.SessionSerializer)

    @extend_schema(
        request=s.SessionInput,
        responses={201: s.SessionSerializer},
        summary="Record a training or counselling session and its attendance sheet",
    )
    def post(self, request):
        data = _valid(s.SessionInput, request.data)
        try:
            session = services.session_record(
                user=request.user,
                kind=data["kind"],
                format=data["format"],
                topic=data["topic"],
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                attendance={line["case"]: line["present"] for line in data["attendance"]},
            )
        except NotFound:
            raise InvalidInput({"attendance": [str(NotFound.default_message)]}) from None
        session = api_selectors.session_get(user=request.user, session_id=session.pk)
        return Response(s.SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailView(ApiView):
    @extend_schema(responses=s.SessionSerializer, summary="A session")
    def get(self, request, session_id: int):
        session = api_selectors.session_get(user=request.user, session_id=session_id)
        return Response(s.SessionSerializer(session).data)


class CaseAttendanceView(ListView):
    @extend_schema(
        responses=s.AttendanceSerializer(many=True), summary="The case's attendance lines"
    )
    def get(self, request, case_id: int):
        rows = api_selectors.attendance_of_case(user=request.user, case_id=case_id)
        return self.paginated(rows, s.AttendanceSerializer)


class AttendanceDetailView(ApiView):
    @extend_schema(responses=s.AttendanceSerializer, summary="One attendance line")
    def get(self, request, attendance_id: int):
        row = api_selectors.attendance_get(user=request.user, attendance_id=attendance_id)
        return Response(s.AttendanceSerializer(row).data)

    @extend_schema(
        request=s.AttendanceInput,
        responses=s.AttendanceSerializer,
        summary="Correct one line of an attendance sheet",
    )
    def patch(self, request, attendance_id: int):
        api_selectors.attendance_get(user=request.user, attendance_id=attendance_id)
        data = _valid(s.AttendanceInput, request.data)
        services.attendance_set(
            user=request.user, attendance_id=attendance_id, present=data["present"]
        )
        row = api_selectors.attendance_get(user=request.user, attendance_id=attendance_id)
        return Response(s.AttendanceSerializer(row).data)


# --------------------------------------------------------------------------------------------
# Screening and placement
# --------------------------------------------------------------------------------------------


class CaseScreeningView(ApiView):
    @extend_schema(responses=s.ScreeningSerializer, summary="The case's health screening")
    def get(self, request, case_id: int):
        screening = api_selectors.screening_of_case(user=request.user, case_id=case_id)
        return Response(s.ScreeningSerializer(screening).data)

    @extend_schema(
        request=s.ScreeningInput,
        responses=s.ScreeningSerializer,
        summary="Record the health screening as done or declined (screening stage)",
    )
    def put(self, request, case_id: int):
        selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(s.ScreeningInput, request.data)
        services.screening_record(
            user=request.user,
            case_id=case_id,
            status=data["status"],
            screened_on=data["screened_on"],
            referred_to_id=data["referred_to"],
        )
        screening = api_selectors.screening_of_case(user=request.user, case_id=case_id)
        return Response(s.ScreeningSerializer(screening).data)


class CasePlacementView(ApiView):
    @extend_schema(responses=s.PlacementSerializer, summary="The case's placement")
    def get(self, request, case_id: int):
        placement = api_selectors.placement_of_case(user=request.user, case_id=case_id)
        return Response(s.PlacementSerializer(placement).data)

    @extend_schema(
        request=s.PlacementInput,
        responses=s.PlacementSerializer,
        summary="Record the placement and the outcome at exit (placement stage)",
    )
    def put(self, request, case_id: int):
        selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(s.PlacementInput, request.data)
        services.placement_save(user=request.user, case_id=case_id, **data)
        placement = api_selectors.placement_of_case(user=request.user, case_id=case_id)
        return Response(s.PlacementSerializer(placement).data)


# --------------------------------------------------------------------------------------------
# Follow-ups and referrals
# --------------------------------------------------------------------------------------------


class FollowUpListView(ListView):
    query_serializer = s.FollowUpFilterInput

    @extend_schema(
        parameters=[s.FollowUpFilterInput],
        responses=s.FollowUpSerializer(many=True),
        summary="Follow-ups of the visible cases, due first",
    )
    def get(self, request):
        criteria = _valid(s.FollowUpFilterInput, request.query_params)
        rows = api_selectors.follow_ups_visible_to(
            request.user, status=criteria.get("status", ""), overdue=criteria.get("overdue")
        )
        return self.paginated(rows, s.FollowUpSerializer)


class CaseFollowUpListView(ListView):
    @extend_schema(responses=s.FollowUpSerializer(many=True), summary="The case's follow-ups")
    def get(self, request, case_id: int):
        rows = api_selectors.follow_ups_visible_to(request.user, case_id=case_id)
        return self.paginated(rows, s.FollowUpSerializer)


class FollowUpDetailView(ApiView):
    @extend_schema(responses=s.FollowUpSerializer, summary="A follow-up")
    def get(self, request, follow_up_id: int):
        row = api_selectors.follow_up_get(user=request.user, follow_up_id=follow_up_id)
        return Response(s.FollowUpSerializer(row).data)

    @extend_schema(
        request=s.FollowUpInput,
        responses=s.FollowUpSerializer,
        summary="Record a follow-up: client reached (with their situation) or unreachable",
    )
    def put(self, request, follow_up_id: int):
        api_selectors.follow_up_get(user=request.user, follow_up_id=follow_up_id)
        data = _valid(s.FollowUpInput, request.data)
        services.follow_up_record(user=request.user, follow_up_id=follow_up_id, **data)
        row = api_selectors.follow_up_get(user=request.user, follow_up_id=follow_up_id)
        return Response(s.FollowUpSerializer(row).data)


class CaseReferralListView(ListView):
    @extend_schema(responses=s.ReferralSerializer(many=True), summary="The case's referrals")
    def get(self, request, case_id: int):
        rows = api_selectors.referrals_of_case(user=request.user, case_id=case_id)
        return self.paginated(rows, s.ReferralSerializer)

    @extend_schema(
        request=s.ReferralInput,
        responses={201: s.ReferralSerializer},
        summary="Refer the client to a partner office of the programme",
    )
    def post(self, request, case_id: int):
        selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(s.ReferralInput, request.data)
        referral = services.referral_create(
            user=request.user,
            case_id=case_id,
            partner_id=data["partner"],
            purpose=data["purpose"],
        )
        referral = api_selectors.referral_get(user=request.user, referral_id=referral.pk)
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralDetailView(ApiView):
    @extend_schema(responses=s.ReferralSerializer, summary="A referral")
    def get(self, request, referral_id: int):
        referral = api_selectors.referral_get(user=request.user, referral_id=referral_id)
        return Response(s.ReferralSerializer(referral).data)


class ReferralAnswerView(ApiView):
    @extend_schema(
        request=s.ReferralAnswerInput,
        responses=s.ReferralSerializer,
        summary="Record the partner office's answer",
    )
    def post(self, request, referral_id: int):
        api_selectors.referral_get(user=request.user, referral_id=referral_id)
        data = _valid(s.ReferralAnswerInput, request.data)
        services.referral_record_answer(user=request.user, referral_id=referral_id, **data)
        referral = api_selectors.referral_get(user=request.user, referral_id=referral_id)
        return Response(s.ReferralSerializer(referral).data)


# --------------------------------------------------------------------------------------------
# Tasks, notifications, audit timeline
# --------------------------------------------------------------------------------------------


class TaskListView(ListView):
    @extend_schema(
        responses=s.TaskSerializer(many=True),
        summary="My open tasks on visible cases, and pooled tasks I may claim",
    )
    def get(self, request):
        tasks = api_selectors.tasks_of(request.user)
        page = self.paginator.paginate_queryset(tasks, request, view=self)
        cases = api_selectors.cases_of_tasks(page)
        data = s.TaskSerializer(page, many=True, context={"cases": cases}).data
        return self.paginator.get_paginated_response(data)


class NotificationListView(ListView):
    query_serializer = s.NotificationFilterInput

    @extend_schema(
        parameters=[s.NotificationFilterInput],
        responses=s.NotificationSerializer(many=True),
        summary="My notifications, newest first",
    )
    def get(self, request):
        criteria = _valid(s.NotificationFilterInput, request.query_params)
        rows = api_selectors.notifications_of(request.user, unread=criteria.get("unread"))
        return self.paginated(rows, s.NotificationSerializer)


class NotificationReadView(ApiView):
    @extend_schema(request=None, responses=s.NotificationSerializer, summary="Mark one read")
    def post(self, request, notification_id: int):
        try:
            notification = notification_services.notification_mark_read(
                user=request.user, notification_id=notification_id
            )
        except Notification.DoesNotExist:
            raise NotFound() from None
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAllView(ApiView):
    @extend_schema(
        request=None,
        responses=OpenApiResponse(
            {"type": "object", "properties": {"marked": {"type": "integer"}}},
            description="How many notifications were marked read.",
        ),
        summary="Mark all my notifications read",
    )
    def post(self, request):
        marked = notification_services.notification_mark_all_read(user=request.user)
        return Response({"marked": marked})


class CaseHistoryView(ListView):
    @extend_schema(
        responses=s.HistoryEntrySerializer(many=True),
        summary="Audit timeline: history rows of the case and its records, oldest first",
    )
    def get(self, request, case_id: int):
        entries = api_selectors.case_history(user=request.user, case_id=case_id)
        return self.paginated(entries, s.HistoryEntrySerializer)


class NotFoundView(ApiView):
    # Any other path under /api/: a JSON 404, whatever the method.

    permission_classes = [AllowAny]
    schema = None

    def query_parameters(self, method: str) -> set[str]:
        return set(self.request.query_params)  # whatever is asked, the answer is 404

    def _missing(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = _missing
