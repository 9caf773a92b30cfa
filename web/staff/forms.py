from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from casework.roles import Role
from web.forms import ChoiceField, ModelChoiceField


def _role_choices(roles: list[str]) -> list[tuple[str, str]]:
    return [(role, Role(role).label) for role in roles]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("e-mail address"))
    first_name = forms.CharField(label=_("given name"), max_length=150)
    last_name = forms.CharField(label=_("family name"), max_length=150)
    organisation = ModelChoiceField(label=_("organisation"), queryset=None)
    role = ChoiceField(label=_("role"))
    language = ChoiceField(label=_("language"), choices=settings.LANGUAGES, initial="hu")

    def __init__(self, *args, organisations, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].choices = _role_choices(roles)


class RoleForm(forms.Form):
    role = ChoiceField(label=_("new role"))
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(roles)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=500)
