"""``{% load audit_tags %}``: show audit links only to users who may follow them.

    {% if user|audit_can:"timeline" %}
      <a href="{% url 'audit:case_timeline' case.pk %}">…</a>
    {% endif %}

The role lookup is cached on the user for the request: no query after the first.

    {{ entry.changes|audit_changes }}

renders the "Changes" cell of a timeline row.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from audit.permissions import has_right

register = template.Library()


@register.filter
def audit_can(user, right: str) -> bool:
    return has_right(user, right)


@register.filter
def audit_changes(changes) -> str:
    """The field-level changes of one timeline entry as a definition list. Rendered here rather
    than by a template loop: a page of 50 entries shows hundreds of fields, and the template
    engine's per-variable lookups were a third of the page's time."""
    if not changes:
        return ""
    changed = gettext("changed")
    hidden = gettext("special category: value hidden")
    rows = format_html_join(
        "",
        '<dt>{}</dt><dd data-field="{}">{}</dd>',
        (
            (
                change.label,
                change.field,
                format_html('{} <span class="muted">({})</span>', changed, hidden)
                if change.masked
                else format_html("<del>{}</del> → <ins>{}</ins>", change.old_text, change.new_text),
            )
            for change in changes
        ),
    )
    return format_html('<dl class="facts">{}</dl>', rows)
