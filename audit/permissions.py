"""Who may see which part of the audit trail, in one table.

* **Supervisors** review the audit trail of every case of their organisation (DESIGN.md §1):
  timeline, time travel, organisation-wide list, review sign-off, exports, and who viewed a
  client.
* **Social workers** own the cases of their organisation and see their full files (the special
  categories only where ``privacy.can_see`` says so: their own cases); to correct and explain a
  case they need to see who changed what, so they get the case timeline and time travel. The
  organisation-wide list, the read log (which is about colleagues' behaviour), sign-off and bulk
  export are supervision, and stay with supervisors.
* **Mentors** get nothing: their scope is the cases assigned to them *now*, while a case's history
  reaches back before their assignment (earlier mentors' notes, values changed since) and is
  about other staff. The case page shows them the current state they work with. Data
  minimisation (GDPR art. 5(1)(c)).
* **Programme admins** see aggregates only, never case files, so no audit trail either.

Scope stays ``cases_visible_to``: a right never widens it. A case the user cannot see, or cannot
see the audit trail of, answers 404.
"""

from __future__ import annotations

from casework.roles import Role, roles_of


class Right:
    TIMELINE = "timeline"
    AS_OF = "as_of"
    ORG_LIST = "org_list"
    SIGN_OFF = "sign_off"
    EXPORT = "export"
    ACCESS_LOG = "access_log"


ROLE_RIGHTS: dict[str, frozenset[str]] = {
    Role.SUPERVISOR: frozenset(
        {
            Right.TIMELINE,
            Right.AS_OF,
            Right.ORG_LIST,
            Right.SIGN_OFF,
            Right.EXPORT,
            Right.ACCESS_LOG,
        }
    ),
    Role.SOCIAL_WORKER: frozenset({Right.TIMELINE, Right.AS_OF}),
}


def rights_of(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    rights: set[str] = set()
    for role in roles_of(user):
        rights |= ROLE_RIGHTS.get(role, frozenset())
    return frozenset(rights)


def has_right(user, right: str) -> bool:
    return right in rights_of(user)
