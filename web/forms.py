"""What every page's forms share: the date widget and a service's field errors on a form."""

from django import forms

from kernel.errors import InvalidInput


class DateInput(forms.DateInput):
    """The browser's own date picker, with the value in the ISO form it expects."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def attach_errors(form: forms.Form, error: InvalidInput) -> None:
    """Show a service's ``InvalidInput`` next to the fields it names (the rest above the form)."""
    for name, errors in error.field_errors.items():
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)
