from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import EventKind
from web.forms import DateInput


class EventForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("programme"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    settlement = forms.CharField(label=_("settlement"), max_length=100)
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)
    held_on = forms.DateField(label=_("date"), widget=DateInput())

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class AttendanceSheetForm(forms.Form):
    clients = forms.ModelMultipleChoiceField(
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
