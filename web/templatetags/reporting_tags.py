"""The indicator dashboard's figure against its target, written in Python.

The dashboard shows one figure per indicator, partner and place: some 90 on a consortium's page.
As an included template each one cost a template render of its own (context, includes, two
``blocktranslate`` blocks), about a fifth of the page's rendering time."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def progress(figure) -> SafeString:
    """``figure`` (a ``reporting.selectors.Progress``): its value, and against a target a bar
    with the share reached (for screen readers too), the target, and where the pace leads by
    the target's deadline."""
    value = localize(figure.value)
    if not figure.target:
        return format_html('<span class="figure">{}</span>', value)
    target = floatformat(figure.target.value, "-1")
    parts = [
        format_html(
            '<span class="progress" role="img" aria-label="{}">'
            '<span class="progress-bar{}" style="width: {}%"></span></span>',
            _("%(percent)s%% of the target") % {"percent": localize(figure.percent)},
            " behind" if figure.on_track is False else "",
            figure.percent,
        ),
        format_html('<span class="figure">{} / {}</span>', value, target),
    ]
    if figure.projected is not None:
        parts.append(
            format_html(
                '<span class="muted forecast">{}</span>',
                _("at this pace: %(projected)s of %(target)s by %(deadline)s")
                % {
                    "projected": localize(figure.projected),
                    "target": target,
                    "deadline": date_format(figure.target.deadline, "SHORT_DATE_FORMAT"),
                },
            )
        )
    return mark_safe("\n".join(parts))  # each part escaped by format_html
