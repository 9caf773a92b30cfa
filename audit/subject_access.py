"""Subject access request (GDPR Art. 15): one person's complete data, in one action.

The rows come from ``privacy.subject_access.collect`` (the model graph, every table). This
module adds what privacy cannot know from below casework, and is the one caller:

- who may run it: the social worker of one of the client's cases and the supervisors of the
  client's organisation (or of an organisation that holds one of the client's cases); a user who
  cannot see the client at all gets "not found", a user who can see it but has another role (a
  mentor, another social worker) "not allowed";
- that it is itself logged in the read log, with the reason ``subject_access_request``, in the
  same transaction as the read, before it, so the export lists its own entry;
- the client's language: the country of the programme of the client's newest case (Hungary:
  Hungarian, Slovakia: Slovak); without a case, the site's default language;
- two summaries the client asks first: with whom the data was shared (referrals to partner
  offices, sharing consents) and who read the file (the read log).

It lives in ``audit`` rather than ``privacy`` because it needs the case scope and the roles
(``casework``) and writes the read log (``audit``), both above ``privacy``: ``audit`` is the
lowest layer that sees all three, and the read log is its own. Ports for each in privacy would
wire three apps' ``ready()`` for a single caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework import selectors as casework_selectors
from casework.models import Case, Client, Country, Referral, TargetGroup
from casework.roles import Role, roles_of
from kernel.errors import NotAllowed
from kernel.services import service
from privacy import special, subject_access
from privacy.models import Consent, Purpose

from .access import record_access
from .models import AccessAction, AccessLog

REASON = "subject_access_request"
LANGUAGE_OF_COUNTRY = {Country.HUNGARY: "hu", Country.SLOVAKIA: "sk"}
FORMAT_VERSION = 1
# List-valued columns whose items are codes of a choice list the column itself cannot declare
# (a JSON field has no choices): shown by their labels on the readable side.
ITEM_LABELS = {"target_groups": TargetGroup}
LABELLED_SECTIONS = {"casework.client", "casework.historicalclient"}


@dataclass
class SubjectAccessExport:
    client: Client
    language: str
    data: dict  # JSON-ready, every text already in ``language``


def may_request(user, *, client_id: int, client_organisation_id: int, cases) -> bool:
    """Whether ``user`` may produce the client's export. ``cases`` are the client's cases
    (``social_worker_id``, ``organisation_id``): the case page passes its own case, so the
    check costs no query there."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = roles_of(user)
    if cases and not any(special.can_see_all(user, case) for case in cases):
        return False  # the export holds every special category: only who may see them all
    if Role.SUPERVISOR in roles:
        organisation = casework_selectors.organisation_of(user)
        organisations = {client_organisation_id} | {case.organisation_id for case in cases}
        if organisation is not None and organisation.pk in organisations:
            return True
    if Role.SOCIAL_WORKER in roles:
        return any(case.social_worker_id == user.pk for case in cases)
    return False


def may_request_from_case(user, case: Case) -> bool:
    """For the case page: the action is offered on the case the user is looking at."""
    return may_request(
        user,
        client_id=case.client_id,
        client_organisation_id=case.client.organisation_id,
        cases=[case],
    )


def language_of(client: Client) -> str:
    """The client's language: their newest case's programme country; else the site default."""
    newest = (
        Case.objects.filter(client=client)
        .order_by("-opened_on", "-id")
        .values_list("programme__country", flat=True)
        .first()
    )
    return LANGUAGE_OF_COUNTRY.get(newest, settings.LANGUAGE_CODE.split("-")[0])


def _client_for_request(*, user, client_id: int) -> Client:
    client = casework_selectors.client_get(user=user, client_id=client_id)  # 404 out of scope
    cases = list(Case.objects.filter(client=client).only("social_worker_id", "organisation_id"))
    if not may_request(
        user, client_id=client.pk, client_organisation_id=client.organisation_id, cases=cases
    ):
        raise NotAllowed(_("Only the case's social worker or a supervisor may do this."))
    return client


def _label_items(sections: list[dict]) -> None:
    for section in sections:
        if section["model"] not in LABELLED_SECTIONS:
            continue
        for row in section["rows"]:
            for name, choices in ITEM_LABELS.items():
                codes = row["values"].get(name)
                if isinstance(codes, list) and codes:
                    labels = dict(choices.choices)
                    row["display"][name] = ", ".join(str(labels.get(c, c)) for c in codes)


def _staff_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _shared_with(client: Client) -> list[dict]:
    referrals = Referral.objects.filter(case__client=client).select_related("case", "partner")
    sharing = Consent.objects.filter(
        case__client=client, purpose=Purpose.PARTNER_SHARING
    ).select_related("case", "partner")
    shared = [
        {
            "kind": "referral",
            "kind_label": _("referral"),
            "case": referral.case.number,
            "recipient": referral.partner.name,
            "on": referral.referred_on.isoformat(),
            "what": referral.purpose,
            "status": referral.get_status_display(),
        }
        for referral in referrals.order_by("referred_on", "id")
    ]
    shared += [
        {
            "kind": "sharing_consent",
            "kind_label": _("consent to share"),
            "case": consent.case.number,
            "recipient": consent.partner.name,
            "on": consent.given_on.isoformat(),
            "what": str(consent),
            "status": _("withdrawn on %(date)s") % {"date": consent.withdrawn_on.isoformat()}
            if consent.withdrawn_on
            else (_("in force") if consent.in_force else _("expired")),
        }
        for consent in sharing.order_by("given_on", "id")
    ]
    return shared


def _read_by(client: Client) -> list[dict]:
    readers = (
        AccessLog.objects.filter(client=client)
        .values("user", "user__username", "user__first_name", "user__last_name", "action")
        .annotate(times=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("user__username", "action")
    )
    actions = dict(AccessAction.choices)
    return [
        {
            "user": " ".join(filter(None, [row["user__first_name"], row["user__last_name"]]))
            or row["user__username"],
            "action": row["action"],
            "action_label": str(actions.get(row["action"], row["action"])),
            "times": row["times"],
            "first": timezone.localtime(row["first"]).isoformat(),
            "last": timezone.localtime(row["last"]).isoformat(),
        }
        for row in readers
    ]


@service
def subject_access_export(
    *, user, client_id: int, language: str | None = None
) -> SubjectAccessExport:
    """Everything the database holds about the client, logged as a subject access request.

    ``language`` (one of the site's languages) overrides the client's language."""
    client = _client_for_request(user=user, client_id=client_id)
    available = {code for code, _name in settings.LANGUAGES}
    language = language if language in available else language_of(client)
    entry = record_access(user=user, client=client, action=AccessAction.EXPORT, what=REASON)
    with translation.override(language):
        sections = [section.as_json() for section in subject_access.collect(client)]
        _label_items(sections)
        data = {
            "format": "lepes.subject_access",
            "version": FORMAT_VERSION,
            "language": language,
            "subject": {
                "model": subject_access.SUBJECT_MODEL,
                "id": client.pk,
                "name": client.full_name,
            },
            "produced_at": timezone.localtime(entry.at).isoformat(),
            "produced_by": _staff_name(user),
            "reason": REASON,
            "shared_with": _shared_with(client),
            "read_by": _read_by(client),
            "sections": sections,
        }
    return SubjectAccessExport(client=client, language=language, data=data)
