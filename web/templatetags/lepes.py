from django import template
from django.utils import translation

from casework.roles import Role

register = template.Library()

# Languages that put the family name first, as Hungarian does ("Szabó Katalin").
FAMILY_NAME_FIRST = {"hu"}


@register.filter
def person(user) -> str:
    """A staff member's name in the order of the current language; the username if unnamed."""
    if user is None:
        return "—"
    first, last = user.first_name.strip(), user.last_name.strip()
    if not (first or last):
        return user.get_username()
    language = (translation.get_language() or "").split("-")[0]
    parts = [last, first] if language in FAMILY_NAME_FIRST else [first, last]
    return " ".join(part for part in parts if part)


@register.filter
def role_label(role: str) -> str:
    """A role's name in the current language ("" for none)."""
    return str(Role(role).label) if role in Role.values else ""
