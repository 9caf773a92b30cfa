from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import Answer, Minority, Purpose


class ConsentRecordForm(forms.Form):
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    partner = forms.ModelChoiceField(label=_("partner office"), queryset=None, required=False)
    given_on = forms.DateField(label=_("given on"))
    expires_on = forms.DateField(label=_("expires on"), required=False)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("withdrawn on"))


class SpecialCategoryForm(forms.Form):
    answer = forms.ChoiceField(label=_("answer"), choices=Answer.choices)
    minority = forms.ChoiceField(
        label=_("minority"), choices=[("", "—"), *Minority.choices], required=False
    )
    note = forms.CharField(label=_("details"), required=False, max_length=4000)
    reason = forms.CharField(label=_("reason for the correction"), required=False, max_length=1000)
