"""The client register: every client the user sees, found by name, and a case opened for a
client who has none yet in a programme (a client of an imported register, or one registered
before the intake was opened)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import selectors, services
from kernel.errors import InvalidInput, NotFound, ServiceError
from web.forms import DateInput, ModelChoiceField, attach_errors


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("name"),
        required=False,
        help_text=gettext_lazy("The beginning of a family or given name; accents do not matter."),
    )


class OpenCaseForm(forms.Form):
    programme = ModelChoiceField(label=gettext_lazy("programme"), queryset=None)
    opened_on = forms.DateField(
        label=gettext_lazy("intake date"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy(
            "The date on the signed intake form, when it is entered later. Empty: today."
        ),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("casework.view_case"):
        raise Http404()
    search = ClientSearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    clients = selectors.client_register_list(user=request.user, search=query)
    page = Paginator(clients, 25).get_page(request.GET.get("page"))
    rest = request.GET.copy()
    rest.pop("page", None)
    return render(
        request,
        "casework/client_list.html",
        {"page": page, "search": search, "query": rest.urlencode()},
    )


@login_required
def client_open_case(request: HttpRequest, client_id: int) -> HttpResponse:
    user = request.user
    if not user.has_perm("casework.add_case"):
        raise Http404()
    try:
        client = selectors.client_get(user=user, client_id=client_id, break_glass=False)
    except NotFound:
        raise Http404() from None
    form = OpenCaseForm(request.POST or None, programmes=selectors.programmes_for(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                user=user,
                client_id=client.pk,
                programme_id=form.cleaned_data["programme"].pk,
                opened_on=form.cleaned_data["opened_on"],
            )
        except InvalidInput as error:
            attach_errors(form, error)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect(case)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "casework/client_open_case.html",
        {"client": client, "form": form},
        status=status,
    )
