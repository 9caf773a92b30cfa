"""The programme set-up pages of a programme admin: the list, a new programme, its settings,
its partners, its locations and its targets. Every write goes through ``casework.setup`` (or
``reporting.services.target_set`` for targets); anyone else gets a 404, as for a page that is
not there.

A new programme starts from scratch (every setting typed in) or from one of the versioned
programme templates (``casework.programme_templates``), which brings its stages, partners,
locations and targets.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import programme_templates, setup
from casework.models import Organisation
from kernel.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from reporting.indicators import INDICATORS
from reporting.selectors import programme_targets
from reporting.services import target_set

from ..forms import attach_errors, form_status
from .forms import (
    LocationAddForm,
    PartnerAddForm,
    PartnerRoleForm,
    ProgrammeForm,
    TargetForm,
    TemplateCreateForm,
)


def _require_admin(request: HttpRequest) -> None:
    if not setup.is_programme_admin(request.user):
        raise Http404


def _programme(request: HttpRequest, programme_id: int):
    _require_admin(request)
    try:
        return setup.programme_get(user=request.user, programme_id=programme_id)
    except NotFound:
        raise Http404 from None


def _one_line(error: ServiceError) -> list[str]:
    if isinstance(error, InvalidInput):
        return [str(message) for errors in error.field_errors.values() for message in errors]
    return [str(error)]


def _remove(request, programme, *, row_exists, remove, page, done, back) -> HttpResponse:
    """Remove a row of the programme's page (a partner, a location): 404 for a row of another
    programme, the service's refusal shown on the page, the page again when it is done."""
    if not row_exists:
        raise Http404
    try:
        remove()
    except InvalidInput as error:
        return page(request, programme, refusal=_one_line(error), status=400)
    messages.success(request, done)
    return redirect(back, programme_id=programme.pk)


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(
        request,
        "setup/programme_list.html",
        {"programmes": setup.programme_list(user=request.user)},
    )


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = setup.programme_create(user=request.user, data=dict(form.cleaned_data))
        except InvalidInput as error:
            attach_errors(form, error)
        except NotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The programme is created."))
            return redirect("setup:programme_settings", programme_id=programme.pk)
    return render(request, "setup/programme_new.html", {"form": form}, status=form_status(form))


@login_required
def programme_from_template(request: HttpRequest) -> HttpResponse:
    """A programme as one of the versioned templates describes it (stages, partners,
    locations, targets); the admin may give it its own funder code, name and start."""
    _require_admin(request)
    templates = programme_templates.available_templates()
    form = TemplateCreateForm(request.POST or None, templates=templates)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if value}
        try:
            programme = programme_templates.programme_create_from_template(
                user=request.user, template_key=data.pop("template"), data=data
            )
        except InvalidInput as error:
            attach_errors(form, error)
        except NotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The programme is created."))
            return redirect("setup:programme_settings", programme_id=programme.pk)
    return render(
        request,
        "setup/programme_from_template.html",
        {"form": form, "templates": templates},
        status=form_status(form),
    )


@login_required
def programme_settings(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    initial = {name: getattr(programme, name) for name in setup.PROGRAMME_FIELDS}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            setup.programme_update(
                user=request.user, programme_id=programme.pk, data=dict(form.cleaned_data)
            )
        except InvalidInput as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("setup:programme_settings", programme_id=programme.pk)
    return render(
        request,
        "setup/programme_settings.html",
        {"programme": programme, "form": form, "tab": "settings"},
        status=form_status(form),
    )


def _partners_page(request, programme, *, add_form=None, refusal=(), status=200) -> HttpResponse:
    partners = setup.partners_of(user=request.user, programme_id=programme.pk)
    if add_form is None:
        add_form = PartnerAddForm(organisations=_outsiders(partners))
    rows = [(member, PartnerRoleForm(initial={"role": member.role})) for member in partners]
    return render(
        request,
        "setup/partners.html",
        {
            "programme": programme,
            "rows": rows,
            "form": add_form,
            "refusal": refusal,
            "tab": "partners",
        },
        status=status,
    )


def _outsiders(partners):
    return Organisation.objects.exclude(pk__in=[m.organisation_id for m in partners]).order_by(
        "name"
    )


@login_required
def partners(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    if request.method != "POST":
        return _partners_page(request, programme)
    current = setup.partners_of(user=request.user, programme_id=programme.pk)
    form = PartnerAddForm(request.POST, organisations=_outsiders(current))
    if form.is_valid():
        data = form.cleaned_data
        chosen = data["organisation"]
        new = {"name": data["name"], "kind": data["kind"], "settlement": data["settlement"]}
        try:
            member = setup.partner_add(
                user=request.user,
                programme_id=programme.pk,
                role=data["role"],
                organisation_id=chosen.pk if chosen else None,
                organisation=None if chosen or not any(new.values()) else new,
            )
        except InvalidInput as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("%(organisation)s is a partner of the programme.")
                % {"organisation": member.organisation.name},
            )
            return redirect("setup:partners", programme_id=programme.pk)
    return _partners_page(request, programme, add_form=form, status=400)


@login_required
@require_POST
def partner_role(request: HttpRequest, programme_id: int, membership_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    if not programme.memberships.filter(pk=membership_id).exists():
        raise Http404
    form = PartnerRoleForm(request.POST)
    if not form.is_valid():
        return _partners_page(request, programme, refusal=form.errors["role"], status=400)
    try:
        setup.partner_set_role(
            user=request.user, membership_id=membership_id, role=form.cleaned_data["role"]
        )
    except InvalidInput as error:
        return _partners_page(request, programme, refusal=_one_line(error), status=400)
    messages.success(request, _("The role is changed."))
    return redirect("setup:partners", programme_id=programme.pk)


@login_required
@require_POST
def partner_remove(request: HttpRequest, programme_id: int, membership_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    return _remove(
        request,
        programme,
        row_exists=programme.memberships.filter(pk=membership_id).exists(),
        remove=lambda: setup.partner_remove(user=request.user, membership_id=membership_id),
        page=_partners_page,
        done=_("The organisation has left the programme."),
        back="setup:partners",
    )


def _locations_page(request, programme, *, form=None, refusal=(), status=200) -> HttpResponse:
    return render(
        request,
        "setup/locations.html",
        {
            "programme": programme,
            "locations": setup.locations_of(user=request.user, programme_id=programme.pk),
            "form": form or LocationAddForm(),
            "refusal": refusal,
            "tab": "locations",
        },
        status=status,
    )


@login_required
def locations(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    if request.method != "POST":
        return _locations_page(request, programme)
    form = LocationAddForm(request.POST)
    if form.is_valid():
        try:
            location = setup.location_add(
                user=request.user,
                programme_id=programme.pk,
                name=form.cleaned_data["name"],
                rural=form.cleaned_data["rural"],
            )
        except InvalidInput as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is a location of the programme.") % {"name": location.settlement.name},
            )
            return redirect("setup:locations", programme_id=programme.pk)
    return _locations_page(request, programme, form=form, status=400)


@login_required
@require_POST
def location_remove(request: HttpRequest, programme_id: int, location_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    return _remove(
        request,
        programme,
        row_exists=programme.locations.filter(pk=location_id).exists(),
        remove=lambda: setup.location_remove(user=request.user, location_id=location_id),
        page=_locations_page,
        done=_("The location is removed."),
        back="setup:locations",
    )


@login_required
def targets(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    partners = setup.partners_of(user=request.user, programme_id=programme.pk)
    places = setup.locations_of(user=request.user, programme_id=programme.pk)
    form = TargetForm(
        request.POST or None,
        indicators=[(code, indicator.label) for code, indicator in INDICATORS.items()],
        partners=[(member.organisation_id, member.organisation.name) for member in partners],
        locations=[(place.settlement.name, place.settlement.name) for place in places],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target_set(
                user=request.user,
                programme_id=programme.pk,
                indicator=data["indicator"],
                value=data["value"],
                baseline=data["baseline"] or 0,
                deadline=data["deadline"],
                organisation_id=data["organisation"],
                settlement=data["settlement"],
            )
        except InvalidInput as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The target is saved."))
            return redirect("setup:targets", programme_id=programme.pk)
    return render(
        request,
        "setup/targets.html",
        {
            "programme": programme,
            "targets": programme_targets(user=request.user, programme_id=programme.pk),
            "form": form,
            "tab": "targets",
        },
        status=form_status(form),
    )
