"""Authorisation backends: role permissions from the role table, and per-organisation queue
permissions for Viewflow's pooled tasks.

``RoleModelBackend`` is Django's ``ModelBackend`` (it logs users in and answers everything it
does), with two differences. It loads a request's user together with their role names and staff
profile: one query where there were three (the user, the roles for the scope, the profile for
the organisation). And ``has_perm`` first looks the permission up among those of the user's
roles in ``casework.roles.ROLE_PERMISSIONS``, the table the role groups are synced to after
every migrate; ``ModelBackend`` alone would load the same permissions with two more queries
(the user's and the groups' permissions) on every request that checks one, which is every
service call. A permission outside the roles (superusers, one given to a user or a non-role
group in the admin) is still answered by ``ModelBackend``, with its queries.

Viewflow offers a pooled task to every user holding the task's permission string. Plan approval
must be offered only to the supervisors of the case's own organisation, so the approval task
carries ``casework.approve_plan@org:<id>`` and this backend grants that string to supervisors of
that organisation. Viewflow's queue filters with ``user.get_all_permissions()``, which asks every
backend, so the queue shows exactly the right tasks without django-guardian.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Aggregate, CharField, Exists, OuterRef, Subquery

from privacy import special

from .roles import ROLE_PERMISSIONS, roles_of

APPROVE_PLAN = "casework.approve_plan"
# The queue of work whose owner left (a deactivated account): the supervisors of the case's
# organisation may claim it, and a new mentor assigned to the case takes it over.
TAKE_OVER_WORK = "casework.take_over_work"


def organisation_queue_permission(permission: str, organisation_id: int) -> str:
    return f"{permission}@org:{organisation_id}"


class OrganisationQueueBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = getattr(user_obj, "_lepes_queue_perms", None)
        if cached is None:
            cached = set()
            profile = getattr(user_obj, "staff_profile", None)
            if profile is not None and user_obj.has_perm(APPROVE_PLAN):
                for queue in (APPROVE_PLAN, TAKE_OVER_WORK):
                    cached.add(organisation_queue_permission(queue, profile.organisation_id))
            user_obj._lepes_queue_perms = cached
        return cached

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return "@org:" in perm and perm in self.get_all_permissions(user_obj)


class RoleNames(Aggregate):
    """The names of a user's groups in one text value (PostgreSQL ``STRING_AGG``, SQLite
    ``GROUP_CONCAT``), separated by the ASCII unit separator, which no group name contains."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, CHR(31))"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, CHAR(31))",
            **extra_context,
        )


class RoleModelBackend(ModelBackend):
    """Django's ``ModelBackend``, loading a request's user with their roles and staff profile in
    one query, and answering a role's own permissions from the role table first."""

    def get_user(self, user_id):
        user_model = get_user_model()
        role_names = (
            Group.objects.filter(user=OuterRef("pk"))
            .order_by()
            .values("user")
            .annotate(names=RoleNames("name"))
            .values("names")
        )
        own_permissions = user_model.user_permissions.through.objects.filter(user=OuterRef("pk"))
        try:
            user = (
                user_model._default_manager.select_related("staff_profile")
                .annotate(
                    role_names=Subquery(role_names),
                    has_own_permissions=Exists(own_permissions),
                )
                .get(pk=user_id)
            )
        except user_model.DoesNotExist:
            return None
        # What casework.roles.roles_of would otherwise ask the database for.
        user._lepes_roles = set(user.role_names.split(chr(31))) if user.role_names else set()
        special.remember_roles(user, user._lepes_roles)  # and what privacy would ask for
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if obj is None and user_obj.is_active and perm in role_permissions(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    # ``get_all_permissions`` (Viewflow's queue asks it on every page of the flow) is made of the
    # two below: each answers without a query when the user was loaded by ``get_user`` above.

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        if (
            obj is None
            and getattr(user_obj, "has_own_permissions", None) is False
            and user_obj.is_active
            and not user_obj.is_superuser
        ):
            return set()
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        roles = getattr(user_obj, "_lepes_roles", None)
        if (
            obj is None
            and roles is not None
            and roles <= ROLE_PERMISSIONS.keys()  # no group beyond the role table's
            and user_obj.is_active
            and not user_obj.is_superuser
        ):
            return role_permissions(user_obj)
        return super().get_group_permissions(user_obj, obj)


def role_permissions(user) -> set[str]:
    """The permissions ``user``'s roles grant (``ROLE_PERMISSIONS``), cached on the instance."""
    cached = getattr(user, "_lepes_role_perms", None)
    if cached is None:
        cached = {
            permission for role in roles_of(user) for permission in ROLE_PERMISSIONS.get(role, ())
        }
        user._lepes_role_perms = cached
    return cached
