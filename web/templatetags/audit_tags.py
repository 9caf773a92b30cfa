"""``{% load audit_tags %}``: show audit links only to users who may follow them.

    {% if user|audit_can:"timeline" %}
      <a href="{% url 'audit:case_timeline' case.pk %}">…</a>
    {% endif %}

The role lookup is cached on the user for the request: no query after the first.

    {% audit_timeline_rows page.entries as_of_url %}

renders the rows of a timeline page, and ``{{ entry.changes|audit_changes }}`` the "Changes" cell
of one row.
"""

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from audit.permissions import has_right

register = template.Library()


@register.filter
def audit_can(user, right: str) -> bool:
    return has_right(user, right)


@register.filter
def audit_changes(changes) -> str:
    """The field-level changes of one timeline entry as a definition list."""
    return _changes(changes, gettext("changed"), gettext("special category: value hidden"))


def _changes(changes, changed: str, hidden: str) -> str:
    if not changes:
        return ""
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


@register.simple_tag
def audit_timeline_rows(entries, as_of_url: str) -> str:
    """The ``<tr>`` of every entry of a timeline page. Rendered here rather than by a template
    loop: a page of 50 entries shows hundreds of fields, and the template engine's per-variable
    lookups, per-row translations and date filters were half of the page's rendering time.
    Every translated word is looked up once per page."""
    words = {
        "changed": gettext("changed"),
        "hidden": gettext("special category: value hidden"),
        "about": gettext("about %(day)s (entered later)"),
        "new": gettext("new since your review"),
        "system": gettext("the system"),
        "stage": gettext("stage"),
        "as_of": gettext("as it stood after this"),
    }
    return mark_safe("".join(_row(entry, as_of_url, words) for entry in entries))


def _row(entry, as_of_url: str, words: dict) -> str:
    when = formats.date_format(timezone.localtime(entry.at), "SHORT_DATETIME_FORMAT")
    about = entry.about_date
    if about is not None:
        day = formats.date_format(about, "SHORT_DATE_FORMAT")
        when = format_html(
            '{}<br><span class="muted">{}</span>', when, words["about"] % {"day": day}
        )
    if entry.new_since_review:
        when = format_html('{}<br><span class="tag warn">{}</span>', when, words["new"])
    record = entry.record_label
    if entry.object_label:
        record = format_html("{}: {}", record, entry.object_label)
    stage = entry.stage_label
    if stage:
        record = format_html(
            '{}<br><span class="muted">{}: {}</span>', record, words["stage"], stage
        )
    action = entry.action
    if entry.note:
        action = format_html("{}<br><q>{}</q>", action, entry.note)
    if entry.link_id:
        action = format_html(
            '{}<br><a class="muted" href="{}?at={}">{}</a>',
            action,
            as_of_url,
            entry.at_token,
            words["as_of"],
        )
    return format_html(
        '<tr id="{}" data-record-type="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
        "<td>{}</td></tr>\n",
        entry.key,
        entry.record_type,
        when,
        entry.user or words["system"],
        record,
        action,
        _changes(entry.changes, words["changed"], words["hidden"]),
    )
