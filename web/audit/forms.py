"""Filter and sign-off forms of the audit pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audit import registry
from audit.selectors import Filters
from casework.journey import Stage
from web.forms import ChoiceField, ModelChoiceField

ALL = [("", _("all"))]


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    user = ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("user"),
    )
    date_from = forms.DateField(required=False, label=_("from"), widget=DateInput)
    date_to = forms.DateField(required=False, label=_("to"), widget=DateInput)
    record_type = ChoiceField(required=False, label=_("record type"))
    stage = ChoiceField(required=False, label=_("stage"), choices=ALL + Stage.choices)

    def __init__(self, *args, organisation=None, with_tasks: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["user"].queryset = (
                get_user_model()
                .objects.filter(staff_profile__organisation=organisation)
                .order_by("last_name", "first_name", "username")
            )
        choices = registry.record_type_choices()
        if not with_tasks:
            choices = [c for c in choices if c[0] != registry.TASK]
        self.fields["record_type"].choices = ALL + choices

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self, **extra) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters(**extra)
        data = self.cleaned_data
        return Filters(
            user_id=data["user"].pk if data.get("user") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            record_type=data.get("record_type") or "",
            stage=data.get("stage") or "",
            **extra,
        )


class TimelineFilterForm(AuditFilterForm):
    since_review = forms.BooleanField(
        required=False, label=_("only what changed since my last review")
    )

    def __init__(self, *args, with_since: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_since:
            del self.fields["since_review"]


class SignOffForm(forms.Form):
    seen_up_to = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=2000,
        label=_("note (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AsOfForm(forms.Form):
    on = forms.DateField(label=_("as it stood at the end of"), widget=DateInput)
