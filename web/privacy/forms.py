from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import Purpose


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
