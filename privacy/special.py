"""Who may see each special category of a case's client (GDPR Art. 9 and 10), in one table.

Other apps ask ``can_see(user, category, case)`` (one case) or filter a queryset of cases with
``cases_where_visible(user, category, cases)`` (lists); they never test roles for sensitive data
themselves (DESIGN.md section 7). A role not entitled gets no trace of the value: pages, API,
exports and the audit timeline ask here before they show any of it.

By default a category is seen by the case's own social worker and by the supervisors of the
case's organisation. A mentor sees a category only when the category grants it for a goal area
and the case's approved plan has a goal in that area: the plan says what the work needs, and a
supervisor other than its author approved it (four eyes), so a mentor cannot widen their own
access by drafting a goal.

``privacy`` sits below casework: the case is read through its attributes (``social_worker_id``,
``organisation_id``, ``mentor_id``, ``plan``) and roles are the names of the user's groups, the
same names as ``casework.roles.Role`` (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet

from kernel.choices import PlanStatus

from .models import SpecialCategory

SOCIAL_WORKER, MENTOR, SUPERVISOR = "social_worker", "mentor", "supervisor"


@dataclass(frozen=True)
class Entitlement:
    case_social_worker: bool = True
    organisation_supervisors: bool = True
    # Goal areas (``casework.GoalArea`` values) for which the case's mentor may see the category.
    mentor_goal_areas: frozenset[str] = frozenset()


ENTITLEMENTS: dict[str, Entitlement] = {
    # Ethnicity is reported to the funder in aggregates; no mentoring goal needs it per person.
    SpecialCategory.ETHNICITY: Entitlement(),
    # A health goal is worked on with what the screening found.
    SpecialCategory.HEALTH: Entitlement(mentor_goal_areas=frozenset({"health"})),
    # Health goals and work placements need the adjustments a disability calls for.
    SpecialCategory.DISABILITY: Entitlement(mentor_goal_areas=frozenset({"health", "employment"})),
    # Art. 10 data: only the social worker and the supervisors, whatever the plan says.
    SpecialCategory.CRIMINAL_RECORD: Entitlement(),
}

# Categories whose "yes" also makes the client one of the programme's target groups (ESF+
# "person with a disability", "ex-offender"). The target group is derived from the record here
# rather than ticked a second time in the client file, where every role would see it.
TARGET_GROUP_CATEGORIES = (SpecialCategory.DISABILITY, SpecialCategory.CRIMINAL_RECORD)


def _roles(user) -> frozenset[str]:
    cached = getattr(user, "_privacy_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._privacy_roles = cached
    return cached


def remember_roles(user, roles) -> None:
    """The role names of ``user`` as loaded with it (a request's user comes with them:
    ``casework.auth``), so that asking what it may see costs no query of its own."""
    user._privacy_roles = frozenset(roles)


def _organisation_id(user):
    profile = getattr(user, "staff_profile", None)
    return getattr(profile, "organisation_id", None)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _mentor_goal_areas(case) -> set[str]:
    """Goal areas of the case's approved plan (no query when the plan and goals are loaded)."""
    try:
        plan = case.plan
    except AttributeError:  # RelatedObjectDoesNotExist: no plan yet
        return set()
    if plan is None or plan.status != PlanStatus.APPROVED:
        return set()
    return {goal.area for goal in plan.goals.all()}


def visible_categories(user, case) -> list[str]:
    """The categories ``user`` may see on ``case``, in the order of ``SpecialCategory``."""
    if not _active(user) or case is None:
        return []
    roles = _roles(user)
    social_worker = SOCIAL_WORKER in roles and case.social_worker_id == user.pk
    organisation_id = _organisation_id(user)
    supervisor = (
        SUPERVISOR in roles
        and organisation_id is not None
        and case.organisation_id == organisation_id
    )
    mentor = MENTOR in roles and case.mentor_id == user.pk
    areas = _mentor_goal_areas(case) if mentor else set()
    return [
        category
        for category, rule in ENTITLEMENTS.items()
        if (rule.case_social_worker and social_worker)
        or (rule.organisation_supervisors and supervisor)
        or (mentor and rule.mentor_goal_areas & areas)
    ]


def can_see(user, category: str, case) -> bool:
    """Whether ``user`` may see ``category`` of the client of ``case``."""
    return category in visible_categories(user, case)


def can_see_all(user, case) -> bool:
    """Whether ``user`` may see every special category of ``case`` (what holds them all: the
    subject-access export, the audit trail's values of fields that may reveal one)."""
    return len(visible_categories(user, case)) == len(ENTITLEMENTS)


def may_ever_see(user) -> bool:
    """Whether ``user``'s roles can be entitled to some category on some case (a hint for the
    API's ``me``: which case is for ``can_see`` to say)."""
    if not _active(user):
        return False
    roles = _roles(user)
    return bool(roles & {SOCIAL_WORKER, SUPERVISOR}) or (
        MENTOR in roles and any(rule.mentor_goal_areas for rule in ENTITLEMENTS.values())
    )


def cases_where_visible(user, category: str, cases: QuerySet) -> QuerySet:
    """``cases`` (a queryset of ``casework.Case``) narrowed to those on which ``user`` may see
    ``category``: the same rule as ``can_see``, as one filter for lists and reports."""
    if not _active(user) or category not in ENTITLEMENTS:
        return cases.none()
    rule, roles = ENTITLEMENTS[category], _roles(user)
    where = Q(pk__in=[])
    if rule.case_social_worker and SOCIAL_WORKER in roles:
        where |= Q(social_worker_id=user.pk)
    organisation_id = _organisation_id(user)
    if rule.organisation_supervisors and SUPERVISOR in roles and organisation_id is not None:
        where |= Q(organisation_id=organisation_id)
    if rule.mentor_goal_areas and MENTOR in roles:
        planned = (
            apps.get_model("casework", "Goal")
            .objects.filter(plan__status=PlanStatus.APPROVED, area__in=rule.mentor_goal_areas)
            .values("plan__case_id")
        )
        where |= Q(mentor_id=user.pk, pk__in=planned)
    return cases.filter(where)
