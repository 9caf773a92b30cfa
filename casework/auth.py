"""Authorisation backends: role permissions from the role table, and per-organisation queue
permissions for Viewflow's pooled tasks.

``RoleModelBackend`` is Django's ``ModelBackend`` (it logs users in and answers everything it
does), except that ``has_perm`` first looks the permission up among those of the user's roles in
``casework.roles.ROLE_PERMISSIONS``, the table the role groups are synced to after every
migrate. The role names are one query, cached on the user for the request and shared with the
scope selectors; ``ModelBackend`` alone would load the same permissions with two more queries
(the user's and the groups' permissions) on every request that checks one, which is every
service call. A permission outside the roles (superusers, one given to a user or a non-role
group in the admin) is still answered by ``ModelBackend``, with its queries.

Viewflow offers a pooled task to every user holding the task's permission string. Plan approval
must be offered only to the supervisors of the case's own organisation, so the approval task
carries ``casework.approve_plan@org:<id>`` and this backend grants that string to supervisors of
that organisation. Viewflow's queue filters with ``user.get_all_permissions()``, which asks every
backend, so the queue shows exactly the right tasks without django-guardian.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend

from .roles import ROLE_PERMISSIONS, roles_of

APPROVE_PLAN = "casework.approve_plan"


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
                cached.add(organisation_queue_permission(APPROVE_PLAN, profile.organisation_id))
            user_obj._lepes_queue_perms = cached
        return cached

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return "@org:" in perm and perm in self.get_all_permissions(user_obj)


class RoleModelBackend(ModelBackend):
    """Django's ``ModelBackend``, answering a role's own permissions from the role table first."""

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if obj is None and user_obj.is_active and perm in role_permissions(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)


def role_permissions(user) -> set[str]:
    """The permissions ``user``'s roles grant (``ROLE_PERMISSIONS``), cached on the instance."""
    cached = getattr(user, "_lepes_role_perms", None)
    if cached is None:
        cached = {
            permission for role in roles_of(user) for permission in ROLE_PERMISSIONS.get(role, ())
        }
        user._lepes_role_perms = cached
    return cached
