from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import EventKind, MeasureStatus, VisitKind
from web.forms import ChoiceField, DateInput, ModelChoiceField, ModelMultipleChoiceField


class EventForm(forms.Form):
    programme = ModelChoiceField(label=_("programme"), queryset=None)
    kind = ChoiceField(label=_("kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    settlement = forms.CharField(label=_("settlement"), max_length=100)
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)
    held_on = forms.DateField(label=_("date"), widget=DateInput())

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class AttendanceSheetForm(forms.Form):
    clients = ModelMultipleChoiceField(
        label=_("clients present"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guests = forms.CharField(
        label=_("other attendees (not clients)"),
        help_text=_("One per line: name, settlement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = clients
        self.fields["clients"].label_from_instance = lambda c: f"{c.full_name} ({c.settlement})"

    def clean_guests(self) -> list[tuple[str, str]]:
        guests = []
        for line in self.cleaned_data["guests"].splitlines():
            if not line.strip():
                continue
            name, _sep, settlement = line.partition(",")
            guests.append((name.strip(), settlement.strip()))
        return guests


# -- community work ----------------------------------------------------------------------------


class FieldVisitForm(forms.Form):
    programme = ModelChoiceField(label=_("programme"), queryset=None)
    kind = ChoiceField(
        label=_("kind"), choices=VisitKind.choices, widget=forms.RadioSelect, initial="visit"
    )
    visited_on = forms.DateField(label=_("date"), widget=DateInput())
    settlement = forms.CharField(label=_("settlement"), max_length=100)
    locality = forms.CharField(
        label=_("part of the settlement"),
        max_length=100,
        required=False,
        help_text=_("A named part of the settlement, for example a segregated neighbourhood."),
    )
    topic = forms.CharField(label=_("topic"), max_length=200)
    people_reached = forms.IntegerField(
        label=_("people reached"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    follow_up = forms.CharField(
        label=_("follow-up actions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    clients = ModelMultipleChoiceField(
        label=_("clients concerned (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, programmes=None, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        if programmes is not None and len(programmes) == 1:  # a consultant's usual case
            self.fields["programme"].initial = programmes[0].pk
        if clients is None or not clients.exists():
            # A consultant without a casework role sees no clients: no empty box on the phone.
            del self.fields["clients"]
        else:
            self.fields["clients"].queryset = clients
            self.fields["clients"].label_from_instance = lambda c: f"{c.full_name} ({c.settlement})"


class MicroProjectForm(forms.Form):
    programme = ModelChoiceField(label=_("programme"), queryset=None)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    settlement = forms.CharField(label=_("settlement"), max_length=100)
    budget = forms.DecimalField(label=_("budget"), required=False, min_value=0, decimal_places=2)
    starts_on = forms.DateField(label=_("start"), widget=DateInput())
    ends_on = forms.DateField(label=_("end"), widget=DateInput())
    responsible = ModelChoiceField(label=_("responsible person"), queryset=None, required=False)

    def __init__(self, *args, programmes=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["responsible"].queryset = people
        self.fields["responsible"].label_from_instance = person_label


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("note or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MonitoringVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("date"), widget=DateInput())
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}))
    is_final = forms.BooleanField(label=_("final monitoring visit"), required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("milestone"), max_length=200)
    due_on = forms.DateField(label=_("due"), widget=DateInput())


class ResponsibleForm(forms.Form):
    responsible = ModelChoiceField(label=_("responsible person"), queryset=None)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people
        self.fields["responsible"].label_from_instance = person_label


class MeetingForm(forms.Form):
    programme = ModelChoiceField(label=_("programme"), queryset=None)
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("date"), widget=DateInput())
    settlement = forms.CharField(label=_("settlement"), max_length=100)
    attendees = forms.CharField(
        label=_("attendees"),
        help_text=_("One per line: name, organisation (leave the organisation out for residents)"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    decisions = forms.CharField(label=_("decisions"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes

    def clean(self):
        data = super().clean()
        programme = data.get("programme")
        if programme is None or "attendees" not in data:
            return data
        by_name = {o.name.casefold(): o.pk for o in programme.organisations.all()}
        rows, unknown = [], []
        for line in data["attendees"].splitlines():
            if not line.strip():
                continue
            name, _sep, organisation = line.partition(",")
            organisation = organisation.strip()
            if organisation and organisation.casefold() not in by_name:
                unknown.append(organisation)
            rows.append((name.strip(), by_name.get(organisation.casefold())))
        if unknown:
            self.add_error(
                "attendees",
                _("Not in the programme's consortium: %(names)s") % {"names": ", ".join(unknown)},
            )
        data["attendees"] = rows
        return data


class MeasureForm(forms.Form):
    programme = ModelChoiceField(label=_("programme"), queryset=None)
    organisation = ModelChoiceField(label=_("owner organisation"), queryset=None)
    title = forms.CharField(label=_("measure"), max_length=200)
    deadline = forms.DateField(label=_("deadline"), widget=DateInput())

    def __init__(self, *args, programmes=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["organisation"].queryset = organisations


class MeasureStatusForm(forms.Form):
    status = ChoiceField(label=_("status"), choices=MeasureStatus.choices)
    done_on = forms.DateField(label=_("done"), required=False, widget=DateInput())


class MeasureLinkForm(forms.Form):
    micro_project = ModelChoiceField(label=_("micro-project"), queryset=None, required=False)
    event = ModelChoiceField(label=_("community event"), queryset=None, required=False)

    def __init__(self, *args, projects=None, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["micro_project"].queryset = projects
        self.fields["event"].queryset = events
