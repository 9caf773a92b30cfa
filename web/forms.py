"""What every page's forms share: the date widget, the choice fields (of records or of fixed
options) and the select that writes their options, a service's field errors on a form, and the
posting half of a "new record" page."""

from django import forms
from django.contrib import messages
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join

from kernel.errors import InvalidInput, ServiceError


class DateInput(forms.DateInput):
    """The browser's own date picker, with the value in the ISO form it expects."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class QuickSelect(forms.Select):
    """Django's select markup, with the options written by ``format_html`` instead of one
    template include each. A select of 30 mentors was 30 template renders: the audit filter
    form's three selects were about a tenth of the audit timeline's time, and the record selects
    of the case list and the case page cost the same per option. Single, ungrouped choices
    only (records never are grouped)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group, _index in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class ChoiceField(forms.ChoiceField):
    """A choice among fixed options, written by ``QuickSelect`` unless a widget is given."""

    widget = QuickSelect


class TypedChoiceField(forms.TypedChoiceField):
    """A typed choice among fixed options, written by ``QuickSelect`` unless a widget is
    given."""

    widget = QuickSelect


class ListedChoices(ModelChoiceIterator):
    """A select's options read by one plain query, and read once per form.

    Django reads a ``ModelChoiceField``'s options with ``QuerySet.iterator()``, which on
    PostgreSQL declares a server-side cursor: DECLARE, FETCH and CLOSE, and with autocommit a
    cursor kept past its transaction. For the few dozen mentors, programmes or partner offices of
    a select that was about 0.6 ms more than the query (1.15 against 0.59 ms p50 at 100,000
    cases), twice on every case list. The options are iterated from the field's own queryset
    instead, so a form rendered twice reads them once. Streaming stays for what needs it (the
    audit verification, rebuilding the open tasks)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for record in self.queryset:
            yield self.choice(record)

    def __len__(self):
        return len(self.queryset) + (self.field.empty_label is not None)


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of one record, its options read by ``ListedChoices`` and written by
    ``QuickSelect``."""

    iterator = ListedChoices
    widget = QuickSelect


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several records, its options read by ``ListedChoices``."""

    iterator = ListedChoices


def attach_errors(form: forms.Form, error: InvalidInput) -> None:
    """Show a service's ``InvalidInput`` next to the fields it names (the rest above the form)."""
    for name, errors in error.field_errors.items():
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)


def submit(request, form: forms.Form, run, *, success) -> HttpResponse | None:
    """The posting half of a "new record" page: with a valid posted ``form``, call ``run`` with
    a copy of its cleaned data (the service call); on success flash ``success`` and redirect to
    the record it returns. A service's ``InvalidInput`` goes onto the form's fields, any other
    refusal into the page's messages. ``None``: show the page (again), with
    ``form_status(form)``."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        record = run(dict(form.cleaned_data))
    except InvalidInput as error:
        attach_errors(form, error)
        return None
    except ServiceError as error:
        messages.error(request, str(error))
        return None
    messages.success(request, success)
    return redirect(record)


def form_status(form: forms.Form) -> int:
    """400 for a posted form with errors (so tests and tools see the refusal), else 200."""
    return 400 if form.is_bound and form.errors else 200
