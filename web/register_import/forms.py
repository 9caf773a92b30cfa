from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("register file"),
        help_text=_(
            "CSV (UTF-8, cells separated by ; or ,) or XLSX, the first row naming the columns, "
            "as in the funder's participant data sheet: family name, given name, year or date "
            "of birth, gender, settlement, ..."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ConfirmForm(forms.Form):
    accept_duplicates = forms.BooleanField(
        label=_("The rows marked as possible duplicates are different people: import them too."),
        required=False,
    )
