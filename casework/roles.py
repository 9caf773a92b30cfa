"""Staff roles are Django groups with real permissions, kept in step with this table.

``sync_role_groups`` runs after every ``migrate`` (see ``apps.py``) so that a new permission in
this table reaches existing databases without a hand-written data migration.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("social worker")
    MENTOR = "mentor", _("mentor")
    SUPERVISOR = "supervisor", _("supervisor")
    PROGRAMME_ADMIN = "programme_admin", _("programme admin")
    # Field work in segregated settlements, micro-projects and the partnership (community/).
    # A role of its own: consultants see no case files unless they also hold a casework role.
    COMMUNITY_CONSULTANT = "community_consultant", _("community consultant")


VIEW_PROCESS = "workflows.view_caseprocess"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SOCIAL_WORKER: [
        "casework.view_case",
        "casework.add_case",
        "casework.add_client",
        "casework.change_client",
        "casework.assign_mentor",
        "casework.complete_intake",
        "casework.advance_case",
        "casework.suspend_case",
        "casework.close_case",
        "casework.record_casework",
        "privacy.record_consent",
        "privacy.record_special_category",
        "privacy.withdraw_consent",
        "privacy.break_glass",
        "privacy.record_rights_request",
        VIEW_PROCESS,
        "community.view_community_work",
        "community.log_field_visit",
        "community.propose_micro_project",
    ],
    Role.MENTOR: [
        "casework.view_case",
        "casework.draft_plan",
        "casework.advance_case",
        "casework.record_casework",
        VIEW_PROCESS,
    ],
    Role.SUPERVISOR: [
        "casework.view_case",
        "casework.change_client",
        "casework.assign_mentor",
        "casework.complete_intake",
        "casework.advance_case",
        "casework.suspend_case",
        "casework.close_case",
        "casework.reopen_case",
        "casework.approve_plan",
        "casework.manage_staff",
        "casework.import_clients",
        "privacy.record_consent",
        "privacy.record_special_category",
        "privacy.withdraw_consent",
        "privacy.view_processing_record",
        "privacy.break_glass",
        "privacy.review_break_glass",
        "privacy.record_rights_request",
        "privacy.decide_rights_request",
        VIEW_PROCESS,
        "community.view_community_work",
        "community.review_field_work",
        "community.propose_micro_project",
        "community.decide_micro_project",
        "community.run_micro_project",
        "community.record_partnership",
    ],
    Role.PROGRAMME_ADMIN: [
        "casework.view_programme",
        "casework.change_programme",
        "casework.view_organisation",
        "casework.manage_staff",
        "casework.import_clients",
        "privacy.view_processing_record",
        VIEW_PROCESS,
    ],
    Role.COMMUNITY_CONSULTANT: [
        "community.view_community_work",
        "community.log_field_visit",
        "community.propose_micro_project",
        "community.run_micro_project",
        "community.record_partnership",
    ],
}


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and give each exactly the permissions of ``ROLE_PERMISSIONS``."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:  # not yet created on the first pass of a fresh migrate
                wanted.append(permission)
        group.permissions.set(wanted)


def roles_of(user) -> set[str]:
    """The role names of ``user``, cached on the instance for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_lepes_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._lepes_roles = cached
    return cached
