"""``{% load privacy_tags %}``: offer the subject access request only to who may run it.

    {% if user|may_request_subject_access:case %}…{% endif %}

Decided from the case already on the page and the user's cached roles: no query."""

from django import template

from audit.subject_access import may_request_from_case

register = template.Library()


@register.filter
def may_request_subject_access(user, case) -> bool:
    return may_request_from_case(user, case)
