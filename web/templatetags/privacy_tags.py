"""``{% load privacy_tags %}``: offer the subject access request, and the erasure and
restriction requests, only to who may run them.

    {% if user|may_request_subject_access:case %}…{% endif %}
    {% if user|may_handle_rights_requests:case %}…{% endif %}

Decided from the case already on the page and the user's cached roles: no query."""

from django import template

from audit.subject_access import may_request_from_case
from casework.selectors import in_own_scope

register = template.Library()


@register.filter
def may_request_subject_access(user, case) -> bool:
    return may_request_from_case(user, case)


@register.filter
def may_handle_rights_requests(user, case) -> bool:
    """The case's erasure and restriction requests are for the user's own cases (not a case
    opened by break-glass), with the role to record or decide them. No query."""
    return (
        user.has_perm("privacy.record_rights_request")
        or user.has_perm("privacy.decide_rights_request")
    ) and in_own_scope(user, case)
