"""The forms of the programme set-up pages. They check shapes only (a date is a date); what a
programme may be is ``casework.setup``'s to say, and its refusals land on these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import ConsortiumRole, OrganisationKind, Programme
from casework.setup import PROGRAMME_FIELDS

from ..forms import ChoiceField, DateInput, ModelChoiceField, QuickSelect, TypedChoiceField


def _programme_fields() -> dict[str, forms.Field]:
    return forms.fields_for_model(
        Programme,
        fields=PROGRAMME_FIELDS,
        widgets={
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "country": QuickSelect,
            "participant_rule": QuickSelect,
        },
    )


class ProgrammeForm(forms.Form):
    """The settings of a programme, labelled and explained as the model declares them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_programme_fields())


class TemplateCreateForm(forms.Form):
    """A template to start from and what the new programme does not take from it (empty: the
    template's own)."""

    template = ChoiceField(label=pgettext_lazy("programme set-up", "template"))
    name = forms.CharField(
        label=Programme._meta.get_field("name").verbose_name,
        required=False,
        max_length=Programme._meta.get_field("name").max_length,
        help_text=_("Empty: the template's name."),
    )
    funder_code = forms.CharField(
        label=Programme._meta.get_field("funder_code").verbose_name,
        required=False,
        max_length=Programme._meta.get_field("funder_code").max_length,
        help_text=_("The grant agreement's identifier. Empty: the template's code."),
    )
    starts_on = forms.DateField(
        label=Programme._meta.get_field("starts_on").verbose_name,
        required=False,
        widget=DateInput(),
        help_text=_("The end and the targets' deadlines move with the start. Empty: as planned."),
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            (template.key, str(template.name)) for template in templates
        ]


class PartnerAddForm(forms.Form):
    role = ChoiceField(
        label=pgettext_lazy("programme set-up", "role in the consortium"),
        choices=ConsortiumRole.choices,
    )
    organisation = ModelChoiceField(
        label=_("an organisation Lépés knows"),
        queryset=None,
        required=False,
        empty_label=_("(a new organisation, described below)"),
    )
    name = forms.CharField(label=_("name of the new organisation"), required=False, max_length=200)
    kind = ChoiceField(
        label=_("kind"), required=False, choices=[("", "---------"), *OrganisationKind.choices]
    )
    settlement = forms.CharField(label=_("settlement"), required=False, max_length=100)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class PartnerRoleForm(forms.Form):
    role = ChoiceField(
        label=pgettext_lazy("programme set-up", "role in the consortium"),
        choices=ConsortiumRole.choices,
    )


class LocationAddForm(forms.Form):
    name = forms.CharField(label=_("settlement"), max_length=100)
    rural = forms.BooleanField(
        label=_("rural area"),
        required=False,
        help_text=_("Thinly populated area (degree of urbanisation 3)."),
    )


class TargetForm(forms.Form):
    indicator = ChoiceField(label=_("indicator"))
    organisation = TypedChoiceField(
        label=_("partner organisation"), required=False, coerce=int, empty_value=None
    )
    settlement = ChoiceField(label=_("location"), required=False)
    baseline = forms.DecimalField(
        label=_("baseline"), required=False, min_value=0, max_digits=12, decimal_places=1
    )
    value = forms.DecimalField(label=_("committed value"), max_digits=12, decimal_places=1)
    deadline = forms.DateField(label=_("deadline"), widget=DateInput())

    def __init__(self, *args, indicators, partners, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators
        self.fields["organisation"].choices = [("", _("the whole consortium")), *partners]
        self.fields["settlement"].choices = [
            ("", pgettext_lazy("programme set-up", "every location")),
            *locations,
        ]
