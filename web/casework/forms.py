"""Forms parse and validate browser input; the services decide and write.

Each step form maps one-to-one onto a service call (``web.casework.views.ACTIONS``). Field errors
raised by a service (``InvalidInput``) are put back on the form's fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.journey import Stage
from casework.models import (
    EARLY_OUTCOMES,
    FOLLOW_UP_QUESTIONS,
    Client,
    ContractType,
    EntryEducation,
    EntryLabourStatus,
    ExitOutcome,
    FollowUp,
    FollowUpStatus,
    Gender,
    GoalArea,
    ScreeningStatus,
    SessionFormat,
    SessionKind,
    TargetGroup,
)
from casework.services import CLIENT_FIELDS
from web.forms import (
    ChoiceField,
    DateInput,
    ModelChoiceField,
    ModelMultipleChoiceField,
    QuickSelect,
)
from web.templatetags.lepes import person


class ClientForm(forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("target groups"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Client
        fields = list(CLIENT_FIELDS)
        widgets = {
            "birth_date": DateInput(),
            "unemployed_since": DateInput(),
            **{
                name: QuickSelect
                for name in ("gender", "labour_market_status", "education_level", "household")
            },
        }

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class IntakeForm(ClientForm):
    """Register a client and open their case in one go: the first screen of an intake."""

    programme = ModelChoiceField(label=_("programme"), queryset=None)
    opened_on = forms.DateField(
        label=_("intake date"),
        required=False,
        widget=DateInput(),
        help_text=_("The date on the signed intake form, when it is entered later. Empty: today."),
    )

    # Shown only once the service found a client of the same name and year of birth.
    accept_duplicate = forms.BooleanField(
        label=_("This is another person with the same name and year of birth"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.order_fields(["programme", "opened_on"])
        if self.data.get("accept_duplicate") in ("on", "True", "true"):
            self.offer_duplicate()

    def offer_duplicate(self) -> None:
        self.fields["accept_duplicate"].widget = forms.CheckboxInput()

    def service_data(self) -> dict:
        data = super().service_data()
        for name in ("programme", "opened_on", "accept_duplicate"):
            data.pop(name)
        return data


class StageForm(forms.Form):
    """Every journey step posts the stage the user saw, so a stale page gets a conflict."""

    from_stage = ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)


class ConsentForm(forms.Form):
    given_on = forms.DateField(label=_("consent given on"), widget=DateInput())


class AssignMentorForm(forms.Form):
    mentor = ModelChoiceField(label=_("mentor"), queryset=None)

    def __init__(self, *args, mentors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors
        self.fields["mentor"].label_from_instance = person


class AdvanceForm(StageForm):
    pass


class SuspendForm(StageForm):
    reason = forms.CharField(label=_("reason"), max_length=90)


class ResumeForm(forms.Form):
    pass


class CloseForm(StageForm):
    outcome = ChoiceField(label=_("outcome"), choices=[(o.value, o.label) for o in EARLY_OUTCOMES])
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=90)
    to_intake = forms.BooleanField(label=_("restart from intake"), required=False)


class PlanForm(forms.Form):
    summary = forms.CharField(
        label=_("summary of needs and strengths"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    client_agreed_on = forms.DateField(
        label=_("client agreed on"), widget=DateInput(), required=False
    )


class GoalForm(forms.Form):
    area = ChoiceField(label=_("area"), choices=GoalArea.choices)
    description = forms.CharField(label=_("goal"), widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(label=_("target date"), widget=DateInput(), required=False)


class GoalRefForm(forms.Form):
    goal_id = forms.IntegerField(widget=forms.HiddenInput)


class GoalAchievedForm(GoalRefForm):
    achieved = forms.BooleanField(label=_("achieved"), required=False)


class PlanSubmitForm(forms.Form):
    pass


class PlanReviewForm(forms.Form):
    APPROVE, RETURN = "approve", "return"
    decision = ChoiceField(
        label=_("decision"),
        choices=[(APPROVE, _("approve the plan")), (RETURN, _("return it for changes"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what should change."))
        return cleaned


class SessionForm(forms.Form):
    kind = ChoiceField(label=_("kind"), choices=SessionKind.choices)
    topic = forms.CharField(label=_("topic"), max_length=200)
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=10, max_value=600, initial=90
    )
    present = forms.BooleanField(label=_("the client attended"), required=False, initial=True)


class GroupSessionForm(forms.Form):
    kind = ChoiceField(label=_("kind"), choices=SessionKind.choices)
    topic = forms.CharField(label=_("topic"), max_length=200)
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=10, max_value=600, initial=90
    )
    present = ModelMultipleChoiceField(
        label=_("present"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    absent = ModelMultipleChoiceField(
        label=_("registered but absent"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("present", "absent"):
            self.fields[name].queryset = cases
            self.fields[name].label_from_instance = lambda c: f"{c.client.full_name} ({c.number})"

    def clean(self):
        cleaned = super().clean()
        present, absent = set(cleaned.get("present") or []), set(cleaned.get("absent") or [])
        if present & absent:
            raise forms.ValidationError(_("A client cannot be both present and absent."))
        if not present and not absent:
            raise forms.ValidationError(_("Tick at least one client."))
        return cleaned

    def attendance(self) -> dict[int, bool]:
        sheet = {case.pk: True for case in self.cleaned_data["present"]}
        sheet.update({case.pk: False for case in self.cleaned_data["absent"]})
        return sheet

    def session_format(self) -> str:
        return SessionFormat.GROUP if len(self.attendance()) > 1 else SessionFormat.INDIVIDUAL


class ScreeningForm(forms.Form):
    status = ChoiceField(
        label=_("status"), choices=ScreeningStatus.choices, widget=forms.RadioSelect
    )
    screened_on = forms.DateField(label=_("date"), widget=DateInput())
    referred_to = ModelChoiceField(label=_("referred to"), queryset=None, required=False)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_to"].queryset = partners


class PlacementForm(forms.Form):
    employer = forms.CharField(
        label=_("employer or training provider"), max_length=200, required=False
    )
    contract_type = ChoiceField(
        label=_("contract type"), choices=[("", "—"), *ContractType.choices], required=False
    )
    starts_on = forms.DateField(label=_("start date"), widget=DateInput(), required=False)
    exit_outcome = ChoiceField(
        label=_("outcome at exit"), choices=[("", "—"), *ExitOutcome.choices], required=False
    )


class FollowUpForm(forms.Form):
    follow_up_id = forms.IntegerField(widget=forms.HiddenInput)
    status = ChoiceField(
        label=_("result"),
        choices=[(s.value, s.label) for s in FollowUpStatus if s != FollowUpStatus.PENDING],
        widget=forms.RadioSelect,
    )
    contacted_on = forms.DateField(label=_("contacted on"), widget=DateInput(), required=False)
    notes = forms.CharField(
        label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Exactly the ESF+ result questions this follow-up asks (a reached client's answers;
        # unticked is "no").
        self.questions = FOLLOW_UP_QUESTIONS.get(kind, ())
        for name in self.questions:
            self.fields[name] = forms.BooleanField(
                label=FollowUp._meta.get_field(name).verbose_name, required=False
            )
        self.order_fields(["follow_up_id", "status", "contacted_on", *self.questions, "notes"])

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("follow_up_id", "status", "notes")}
        data["contacted_on"] = self.cleaned_data["contacted_on"]
        if data["status"] == FollowUpStatus.REACHED:
            data["answers"] = {name: self.cleaned_data[name] for name in self.questions}
        return data


class EntryRecordForm(forms.Form):
    """A correction of the ESF+ entry record: its characteristics as they were on the entry
    date (not today's), and why they are corrected."""

    gender = ChoiceField(label=_("gender"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("date of birth"), widget=DateInput(), required=False)
    labour_status = ChoiceField(
        label=_("labour-market status"),
        choices=[("", "—"), *EntryLabourStatus.choices],
        required=False,
    )
    unemployed_since = forms.DateField(
        label=_("unemployed since"), widget=DateInput(), required=False
    )
    education = ChoiceField(
        label=_("education (ISCED)"), choices=[("", "—"), *EntryEducation.choices], required=False
    )
    third_country_national = forms.NullBooleanField(
        label=_("third-country national"), required=False
    )
    foreign_origin = forms.NullBooleanField(label=_("of foreign origin"), required=False)
    housing_exclusion = forms.NullBooleanField(
        label=_("homeless or affected by housing exclusion"), required=False
    )
    settlement = forms.CharField(label=_("settlement"), max_length=100, required=False)
    reason = forms.CharField(label=_("reason for the correction"), max_length=80)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        reason = data.pop("reason")
        if data["birth_date"] is None:
            # Without a date the record keeps the year of birth it was taken with.
            del data["birth_date"]
        return {"data": data, "reason": reason}


class ReferralForm(forms.Form):
    partner = ModelChoiceField(label=_("partner organisation"), queryset=None)
    purpose = forms.CharField(label=_("purpose"), max_length=200)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class ReferralAnswerForm(forms.Form):
    referral_id = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}))
    answered_on = forms.DateField(label=_("answered on"), widget=DateInput())


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    stage = ChoiceField(label=_("stage"), choices=[("", _("all")), *Stage.choices], required=False)
    mentor = ModelChoiceField(
        label=_("mentor"),
        queryset=None,
        required=False,
        empty_label=pgettext_lazy("any mentor", "all"),
    )
    programme = ModelChoiceField(
        label=_("programme"), queryset=None, required=False, empty_label=_("all")
    )

    def __init__(self, *args, mentors=None, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors
        self.fields["mentor"].label_from_instance = person
        self.fields["programme"].queryset = programmes
