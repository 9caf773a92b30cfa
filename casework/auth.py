"""Per-organisation queue permissions for Viewflow's pooled tasks.

Viewflow offers a pooled task to every user holding the task's permission string. Plan approval
must be offered only to the supervisors of the case's own organisation, so the approval task
carries ``casework.approve_plan@org:<id>`` and this backend grants that string to supervisors of
that organisation. Viewflow's queue filters with ``user.get_all_permissions()``, which asks every
backend, so the queue shows exactly the right tasks without django-guardian.
"""

from django.contrib.auth.backends import BaseBackend

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
