from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import selectors as casework_selectors
from community import selectors, services
from kernel.errors import InvalidInput, NotFound, ServiceError
from web.forms import attach_errors

from . import forms


@login_required
def event_list(request):
    page = Paginator(selectors.event_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "community/event_list.html", {"page": page})


@login_required
def event_new(request):
    user = request.user
    if not user.has_perm(services.RECORD_PERMISSION):
        raise Http404()
    form = forms.EventForm(
        request.POST or None,
        programmes=casework_selectors.programmes_for(user=user),
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["programme_id"] = data.pop("programme").pk
        try:
            event = services.event_create(user=user, **data)
        except InvalidInput as error:
            attach_errors(form, error)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Event recorded. Now fill in its attendance sheet."))
            return redirect(event)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "community/event_new.html", {"form": form}, status=status)


@login_required
def event_detail(request, event_id: int):
    user = request.user
    try:
        event = selectors.event_detail(user=user, event_id=event_id)
    except NotFound:
        raise Http404() from None
    on_sheet = [row.client_id for row in event.attendees.all() if row.client_id]
    clients = (
        casework_selectors.clients_visible_to(user)
        .exclude(pk__in=on_sheet)
        .order_by("family_name", "given_name")
    )
    form = forms.AttendanceSheetForm(request.POST or None, clients=clients)
    can_record = user.has_perm(services.RECORD_PERMISSION)
    if request.method == "POST" and can_record and form.is_valid():
        try:
            services.event_record_attendance(
                user=user,
                event_id=event.pk,
                client_ids=[client.pk for client in form.cleaned_data["clients"]],
                guests=form.cleaned_data["guests"],
            )
        except InvalidInput as error:
            attach_errors(form, error)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Attendance sheet updated."))
            return redirect(event)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "community/event_detail.html",
        {"event": event, "form": form, "can_record": can_record},
        status=status,
    )
