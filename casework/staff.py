"""Staff management: invite a member of staff, change their role, deactivate or reactivate
them, send them a password reset (issue 13). Every change is a service (DESIGN.md rules 1-4)
and leaves a ``StaffEvent`` with the acting user and a note.

Who manages whom:
- a programme admin manages the staff of every organisation in their programmes' consortia,
  in any role;
- a supervisor manages the social workers and mentors of their own organisation.

Nobody changes their own account here (a supervisor cannot lock themselves out, nor promote
themselves). A deactivated member of staff cannot log in (Django refuses inactive users), their
open pages lose their live connection, and their open tasks go to the take-over queue of each
case's organisation, where its supervisors see them and a newly assigned mentor takes them over.

E-mails (the invitation, a password reset) carry a one-time link made by Django's token
generator; they are sent after commit, in the recipient's language, so a refused or rolled-back
change sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import InvalidInput, NotAllowed, NotFound
from kernel.services import save_with_history, service
from notifications.publish import revoke_sockets

from . import journey_flow
from .models import Organisation, StaffEvent, StaffEventKind, StaffProfile
from .roles import Role, roles_of
from .selectors import organisation_of

User = get_user_model()

MANAGE_STAFF = "casework.manage_staff"

# What a supervisor may grant; a programme admin may grant every role.
SUPERVISOR_GRANTS = (Role.SOCIAL_WORKER, Role.MENTOR)

INVITATION_SUBJECT = gettext_lazy("Your Lépés account")
INVITATION_BODY = gettext_lazy(
    "%(inviter)s has opened a Lépés account for you at %(organisation)s, as %(role)s.\n\n"
    "Your username: %(username)s\n"
    "Choose your password here (the link works once and expires in a few days):\n%(link)s\n"
)
RESET_SUBJECT = gettext_lazy("Reset your Lépés password")
RESET_BODY = gettext_lazy(
    "%(inviter)s has asked for a new password for your Lépés account (%(username)s).\n\n"
    "Choose your new password here (the link works once and expires in a few days):\n%(link)s\n"
)


# --------------------------------------------------------------------------------------------
# Reads: who the user may manage
# --------------------------------------------------------------------------------------------


def _is_admin(user) -> bool:
    return Role.PROGRAMME_ADMIN in roles_of(user)


def manageable_organisations(*, user) -> QuerySet[Organisation]:
    """The organisations whose staff ``user`` manages (none without the permission)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(MANAGE_STAFF):
        return Organisation.objects.none()
    own = organisation_of(user)
    if own is None:
        return Organisation.objects.none()
    if _is_admin(user):
        return Organisation.objects.filter(programmes__organisations=own).distinct()
    return Organisation.objects.filter(pk=own.pk)


def grantable_roles(*, user) -> list[str]:
    if not getattr(user, "is_authenticated", False) or not user.has_perm(MANAGE_STAFF):
        return []
    return list(Role.values) if _is_admin(user) else list(SUPERVISOR_GRANTS)


def staff_visible_to(*, user) -> QuerySet:
    """The staff ``user`` manages, with profile and organisation (active or not)."""
    staff = User.objects.filter(
        staff_profile__organisation__in=manageable_organisations(user=user)
    ).select_related("staff_profile__organisation")
    if not _is_admin(user):
        staff = staff.filter(groups__name__in=SUPERVISOR_GRANTS)
    return staff.exclude(pk=user.pk).distinct()


@dataclass(frozen=True)
class StaffRow:
    member: object
    role: str

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else ""


def staff_list(*, user) -> list[StaffRow]:
    """The staff page: every member ``user`` manages with their role, in two queries."""
    members = list(
        staff_visible_to(user=user).order_by(
            "staff_profile__organisation__name", "last_name", "first_name", "pk"
        )
    )
    roles = dict(
        Group.objects.filter(user__in=members, name__in=Role.values).values_list("user", "name")
    )
    return [StaffRow(member=member, role=roles.get(member.pk, "")) for member in members]


def staff_get(*, user, staff_id: int):
    member = staff_visible_to(user=user).filter(pk=staff_id).first()
    if member is None:
        raise NotFound()
    return member


def staff_events(*, user, staff_id: int | None = None, limit: int = 50) -> list[StaffEvent]:
    events = StaffEvent.objects.filter(
        organisation__in=manageable_organisations(user=user)
    ).select_related("staff", "made_by", "organisation")
    if staff_id is not None:
        events = events.filter(staff_id=staff_id)
    return list(events[:limit])


def role_of(member) -> str:
    return (
        Group.objects.filter(user=member, name__in=Role.values)
        .values_list("name", flat=True)
        .first()
        or ""
    )


# --------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------


def _require_manager(user) -> None:
    if not getattr(user, "is_authenticated", False) or not user.has_perm(MANAGE_STAFF):
        raise NotAllowed(_("Only a programme admin or a supervisor manages staff."))


def _member_for_update(*, user, staff_id: int):
    _require_manager(user)
    if staff_id == user.pk:
        raise NotAllowed(_("Ask another programme admin or supervisor to change your own account."))
    member = staff_visible_to(user=user).filter(pk=staff_id).first()
    if member is None:
        raise NotFound()
    # The user row only: the profile is the nullable side of the join, which PostgreSQL cannot lock.
    locked = User.objects.select_for_update(of=("self",)).select_related("staff_profile")
    return locked.get(pk=member.pk)


def _check_role(user, role: str) -> None:
    if role not in Role.values:
        raise InvalidInput({"role": [_("Choose a role.")]})
    if role not in grantable_roles(user=user):
        raise InvalidInput(
            {"role": [_("A supervisor gives only the social worker or mentor role.")]}
        )


def _record(member, *, user, kind: str, note: str = "", role_before="", role_after="") -> None:
    event = StaffEvent(
        staff=member,
        kind=kind,
        organisation_id=member.staff_profile.organisation_id,
        role_before=role_before,
        role_after=role_after,
        note=note,
        made_by=user,
    )
    save_with_history(event, user=user, reason=f"staff.{kind}", validate=False)


def _set_role(member, role: str) -> None:
    member.groups.remove(*Group.objects.filter(name__in=Role.values))
    member.groups.add(Group.objects.get(name=role))


def _link(member, *, link_base: str) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
            "token": default_token_generator.make_token(member),
        },
    )
    return link_base.rstrip("/") + path


def _mail_after_commit(member, *, subject, body, params: dict) -> None:
    """Send ``subject``/``body`` to ``member`` in their own language once the change commits."""
    language = getattr(getattr(member, "staff_profile", None), "language", None) or "hu"
    address = member.email

    def send():
        with translation.override(language):
            values = {key: str(value) for key, value in params.items()}
            send_mail(str(subject), str(body) % values, None, [address])

    transaction.on_commit(send)


@service
def staff_invite(
    *,
    user,
    email: str,
    first_name: str,
    last_name: str,
    organisation_id: int | None,
    role: str,
    language: str = "hu",
    link_base: str,
):
    """Open an account for a new member of staff and e-mail them the link to set a password."""
    _require_manager(user)
    errors: dict[str, list] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    else:
        if (
            User.objects.filter(username__iexact=email).exists()
            or User.objects.filter(email__iexact=email).exists()
        ):
            errors["email"] = [_("A member of staff with this e-mail address exists already.")]
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name:
        errors["first_name"] = [_("Enter the given name.")]
    if not last_name:
        errors["last_name"] = [_("Enter the family name.")]
    organisation = manageable_organisations(user=user).filter(pk=organisation_id).first()
    if organisation is None:
        errors["organisation"] = [_("Choose an organisation whose staff you manage.")]
    languages = {code for code, _label in StaffProfile._meta.get_field("language").choices}
    if language not in languages:
        errors["language"] = [_("Choose a language.")]
    try:
        _check_role(user, role)
    except InvalidInput as error:
        errors.update(error.field_errors)
    if errors:
        raise InvalidInput(errors)
    member = User(username=email, email=email, first_name=first_name, last_name=last_name)
    member.set_unusable_password()
    member.save()
    profile = StaffProfile(user=member, organisation=organisation, language=language)
    save_with_history(profile, user=user, reason="staff.invited", validate=False)
    _set_role(member, role)
    _record(member, user=user, kind=StaffEventKind.INVITED, role_after=role)
    _mail_after_commit(
        member,
        subject=INVITATION_SUBJECT,
        body=INVITATION_BODY,
        params={
            "inviter": user.get_full_name() or user.get_username(),
            "organisation": organisation.name,
            "role": Role(role).label,
            "username": member.username,
            "link": _link(member, link_base=link_base),
        },
    )
    return member


@service
def staff_change_role(*, user, staff_id: int, role: str, note: str = ""):
    member = _member_for_update(user=user, staff_id=staff_id)
    _check_role(user, role)
    before = role_of(member)
    if before == role:
        return member
    _set_role(member, role)
    _record(
        member,
        user=user,
        kind=StaffEventKind.ROLE_CHANGED,
        role_before=before,
        role_after=role,
        note=(note or "").strip(),
    )
    # Open pages hold the old role's menu and rights: close them, the next page loads anew.
    revoke_sockets(member.pk)
    return member


@service
def staff_deactivate(*, user, staff_id: int, note: str) -> tuple[object, int]:
    """Close the account: no more logins, live connections closed, open tasks to the take-over
    queue of each case's organisation. Answers the member and how many tasks moved."""
    member = _member_for_update(user=user, staff_id=staff_id)
    note = (note or "").strip()
    if not note:
        raise InvalidInput({"note": [_("Say why the account is deactivated.")]})
    if not member.is_active:
        raise InvalidInput({"__all__": [_("This account is deactivated already.")]})
    member.is_active = False
    member.save(update_fields=["is_active"])
    released = journey_flow.release_open_tasks(member)
    _record(
        member, user=user, kind=StaffEventKind.DEACTIVATED, note=note, role_before=role_of(member)
    )
    revoke_sockets(member.pk)
    return member, len(released)


@service
def staff_reactivate(*, user, staff_id: int, note: str = ""):
    member = _member_for_update(user=user, staff_id=staff_id)
    if member.is_active:
        raise InvalidInput({"__all__": [_("This account is active.")]})
    member.is_active = True
    member.save(update_fields=["is_active"])
    _record(member, user=user, kind=StaffEventKind.REACTIVATED, note=(note or "").strip())
    return member


@service
def staff_send_password_reset(*, user, staff_id: int, link_base: str):
    """E-mail the member a link to choose a new password (their current one keeps working
    until they do)."""
    member = _member_for_update(user=user, staff_id=staff_id)
    if not member.is_active:
        raise InvalidInput(
            {"__all__": [_("Reactivate the account before resetting its password.")]}
        )
    if not member.email:
        raise InvalidInput({"__all__": [_("This account has no e-mail address.")]})
    _record(member, user=user, kind=StaffEventKind.PASSWORD_RESET)
    _mail_after_commit(
        member,
        subject=RESET_SUBJECT,
        body=RESET_BODY,
        params={
            "inviter": user.get_full_name() or user.get_username(),
            "username": member.username,
            "link": _link(member, link_base=link_base),
        },
    )
    return member
