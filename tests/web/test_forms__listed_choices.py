"""A select of records reads its options by one plain query, once per form (web.forms)."""

import importlib
import pkgutil

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

import web
from casework.models import Programme
from web.casework.forms import CaseFilterForm
from web.forms import ListedChoices, ModelChoiceField, QuickSelect
from web.setup.forms import ProgrammeForm


def every_form_class() -> set[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(web.__path__, "web."):
        importlib.import_module(module.name)
    found, waiting = set(), [forms.BaseForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            if subclass.__module__.startswith("web.") and subclass not in found:
                found.add(subclass)
            waiting.append(subclass)
    return found


@pytest.mark.django_db
def test_a_select_reads_its_options_without_a_server_side_cursor_and_once(world, monkeypatch):
    def no_server_side_cursor():
        raise AssertionError("a select's options were read through a server-side cursor")

    monkeypatch.setattr(connection, "chunked_cursor", no_server_side_cursor)
    form = CaseFilterForm(
        mentors=world.mentor.__class__.objects.filter(pk__in=[world.mentor.pk, world.mentor2.pk]),
        programmes=Programme.objects.filter(pk=world.programme.pk),
    )
    with CaptureQueriesContext(connection) as first:
        html = str(form["mentor"]) + str(form["programme"])
    with CaptureQueriesContext(connection) as again:
        html_again = str(form["mentor"]) + str(form["programme"])

    assert len(first.captured_queries) == 2
    assert again.captured_queries == []
    assert html_again == html
    assert f'value="{world.mentor2.pk}"' in html
    assert f'<option value="{world.programme.pk}">{world.programme}</option>' in html
    assert html.count("<option") == 2 + 1 + 1 + 1  # two mentors, a programme, two "all"


def test_every_record_choice_of_our_forms_reads_its_options_by_one_plain_query():
    fields = {
        f"{form.__module__}.{form.__name__}.{name}": field
        for form in every_form_class()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }
    assert len(fields) > 15  # the forms were found
    assert [name for name, field in fields.items() if field.iterator is not ListedChoices] == []


def test_every_select_of_our_forms_writes_its_options_without_a_template_per_option():
    fields = {
        f"{form.__module__}.{form.__name__}.{name}": field
        for form in every_form_class()
        for name, field in form.base_fields.items()
    }
    # The programme form takes its fields from the model when it is made.
    fields.update({f"ProgrammeForm().{n}": f for n, f in ProgrammeForm().fields.items()})
    selects = {
        name: field.widget
        for name, field in fields.items()
        if isinstance(field.widget, forms.Select)
        and not isinstance(field.widget, forms.SelectMultiple | forms.NullBooleanSelect)
    }
    assert len(selects) > 30  # the forms were found
    assert [name for name, widget in selects.items() if not isinstance(widget, QuickSelect)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", [False, True])
def test_a_quick_select_writes_the_markup_djangos_select_writes(world, chosen):
    field = ModelChoiceField(queryset=Programme.objects.all(), required=False)
    value = world.programme.pk if chosen else None
    attrs = {"id": "id_programme", "required": True}
    quick = field.widget.render("programme", value, attrs=attrs)
    django = forms.Select(choices=field.choices).render("programme", value, attrs=attrs)

    assert " ".join(quick.split()) == " ".join(django.split())
    assert (f'<option value="{world.programme.pk}" selected>' in quick) is chosen
