"""``{% load audit_tags %}``: show audit links only to users who may follow them.

    {% if user|audit_can:"timeline" %}
      <a href="{% url 'audit:case_timeline' case.pk %}">…</a>
    {% endif %}

The role lookup is cached on the user for the request: no query after the first.
"""

from django import template

from ..permissions import has_right

register = template.Library()


@register.filter
def audit_can(user, right: str) -> bool:
    return has_right(user, right)
