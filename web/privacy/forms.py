from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import Answer, Minority, Purpose, RightsRequestKind
from web.forms import ChoiceField, ModelChoiceField


class ConsentRecordForm(forms.Form):
    purpose = ChoiceField(label=_("purpose"), choices=Purpose.choices)
    partner = ModelChoiceField(label=_("partner office"), queryset=None, required=False)
    given_on = forms.DateField(label=_("given on"))
    expires_on = forms.DateField(label=_("expires on"), required=False)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("withdrawn on"))


class SpecialCategoryForm(forms.Form):
    answer = ChoiceField(label=_("answer"), choices=Answer.choices)
    minority = ChoiceField(
        label=_("minority"), choices=[("", "—"), *Minority.choices], required=False
    )
    note = forms.CharField(label=_("details"), required=False, max_length=4000)
    reason = forms.CharField(label=_("reason for the correction"), required=False, max_length=1000)


class BreakGlassForm(forms.Form):
    number = forms.CharField(label=_("case number"), max_length=80)
    reason = forms.CharField(
        label=_("Why do you need this case?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_(
            "Your access lasts 24 hours, is logged, and the case's supervisors are told and "
            "review the reason."
        ),
    )


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(label=_("review note"), max_length=1000)


class RightsRequestForm(forms.Form):
    kind = ChoiceField(label=_("kind"), choices=RightsRequestKind.choices)
    received_on = forms.DateField(label=_("received on"))
    details = forms.CharField(
        label=_("the request"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DecisionForm(forms.Form):
    decision = ChoiceField(
        label=_("decision"), choices=[("approve", _("approve")), ("reject", _("reject"))]
    )
    note = forms.CharField(label=_("decision note"), max_length=2000, required=False)


class LiftForm(forms.Form):
    note = forms.CharField(label=_("why it is lifted"), max_length=2000)
