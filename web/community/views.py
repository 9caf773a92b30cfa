from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import selectors as casework_selectors
from casework.models import Organisation
from community import guards as community_guards
from community import selectors, services
from community.models import MicroProjectStatus
from kernel.errors import InvalidInput, NotFound, ServiceError
from web.forms import attach_errors, form_status, submit

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

    def run(data):
        data["programme_id"] = data.pop("programme").pk
        return services.event_create(user=user, **data)

    done = submit(
        request, form, run, success=_("Event recorded. Now fill in its attendance sheet.")
    )
    return done or render(
        request, "community/event_new.html", {"form": form}, status=form_status(form)
    )


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


# -- community work: field visits ------------------------------------------------------------


def _found(function, **kwargs):
    try:
        return function(**kwargs)
    except NotFound:
        raise Http404() from None


def _require_perm(user, permission: str) -> None:
    # A page the role may not use looks like one that does not exist.
    if not user.has_perm(permission):
        raise Http404()


@login_required
def visit_list(request):
    user = request.user
    _require_perm(user, selectors.VIEW_WORK)
    consultant_id = request.GET.get("consultant") or None
    community = request.GET.get("community", "")
    visits = selectors.visit_list(
        user=user,
        consultant_id=int(consultant_id) if str(consultant_id).isdigit() else None,
        community=community,
    )
    page = Paginator(visits, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "community/visit_list.html",
        {"page": page, "community": community, "consultant_id": consultant_id},
    )


@login_required
def visit_new(request):
    user = request.user
    _require_perm(user, services.LOG_VISIT)
    form = forms.FieldVisitForm(
        request.POST or None,
        programmes=casework_selectors.programmes_for(user=user),
        clients=casework_selectors.clients_visible_to(user).order_by("family_name", "given_name"),
        initial={"visited_on": timezone.localdate()},
    )

    def run(data):
        data["programme_id"] = data.pop("programme").pk
        data["client_ids"] = [client.pk for client in data.pop("clients", [])]
        return services.visit_log(user=user, **data)

    done = submit(request, form, run, success=_("Field visit recorded."))
    return done or render(
        request, "community/visit_new.html", {"form": form}, status=form_status(form)
    )


@login_required
def visit_detail(request, visit_id: int):
    visit = _found(selectors.visit_get, user=request.user, visit_id=visit_id)
    cases = selectors.cases_of_visit(user=request.user, visit=visit)
    clients = [(link.client, cases.get(link.client_id, [])) for link in visit.client_links.all()]
    return render(request, "community/visit_detail.html", {"visit": visit, "clients": clients})


@login_required
def field_summary(request):
    user = request.user
    _require_perm(user, "community.review_field_work")
    by = "consultant" if request.GET.get("by") == "consultant" else "community"
    rows = selectors.field_work_by_month(user=user, by=by)
    return render(request, "community/field_summary.html", {"rows": rows, "by": by})


# -- micro-projects ------------------------------------------------------------------------------


@login_required
def project_list(request):
    user = request.user
    _require_perm(user, selectors.VIEW_WORK)
    status = request.GET.get("status", "")
    if status not in MicroProjectStatus.values:
        status = ""
    page = Paginator(selectors.project_list(user=user, status=status), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/project_list.html",
        {"page": page, "status": status, "statuses": MicroProjectStatus.choices},
    )


@login_required
def project_new(request):
    user = request.user
    _require_perm(user, services.PROPOSE_PROJECT)
    organisation = casework_selectors.organisation_of(user)
    form = forms.MicroProjectForm(
        request.POST or None,
        programmes=casework_selectors.programmes_for(user=user),
        people=selectors.responsible_candidates(organisation=organisation),
    )

    def run(data):
        data["programme_id"] = data.pop("programme").pk
        responsible = data.pop("responsible")
        data["responsible_id"] = responsible.pk if responsible else None
        return services.project_propose(user=user, **data)

    done = submit(request, form, run, success=_("Micro-project proposed."))
    return done or render(
        request, "community/project_new.html", {"form": form}, status=form_status(form)
    )


# What each button of the project page does: the service, who may see the button, and the
# guard that tells beforehand what is still missing.
PROJECT_STEPS = {
    "approve": (services.project_approve, services.DECIDE_PROJECT, community_guards.approvable),
    "start": (services.project_start, None, community_guards.startable),
    "monitored": (services.project_mark_monitored, None, community_guards.monitorable),
    "close": (services.project_close, services.DECIDE_PROJECT, community_guards.closable),
}


def _project_forms(request, project, data=None):
    action = request.POST.get("action") if data else None

    def bound(name):
        return data if action == name else None

    people = selectors.responsible_candidates(organisation=project.organisation)
    return {
        "decision": forms.DecisionForm(bound("reject") or bound("approve"), prefix="decision"),
        "visit": forms.MonitoringVisitForm(
            bound("visit"), prefix="visit", initial={"visited_on": timezone.localdate()}
        ),
        "milestone": forms.MilestoneForm(bound("milestone"), prefix="milestone"),
        "responsible": forms.ResponsibleForm(
            bound("responsible"),
            prefix="responsible",
            people=people,
            initial={"responsible": project.responsible_id},
        ),
    }


def _run_project_action(request, project, action, page_forms) -> bool:
    """Do the posted action; True when it went through (the page then redirects)."""
    user = request.user
    try:
        if action in PROJECT_STEPS:
            function = PROJECT_STEPS[action][0]
            if action == "approve":
                form = page_forms["decision"]
                if not form.is_valid():
                    return False
                function(user=user, project_id=project.pk, note=form.cleaned_data["note"])
            else:
                function(user=user, project_id=project.pk)
        elif action == "reject":
            form = page_forms["decision"]
            if not form.is_valid():
                return False
            services.project_reject(
                user=user, project_id=project.pk, reason=form.cleaned_data["note"]
            )
        elif action == "visit":
            form = page_forms["visit"]
            if not form.is_valid():
                return False
            services.monitoring_visit_record(user=user, project_id=project.pk, **form.cleaned_data)
        elif action == "milestone":
            form = page_forms["milestone"]
            if not form.is_valid():
                return False
            services.milestone_add(user=user, project_id=project.pk, **form.cleaned_data)
        elif action == "milestone_done":
            services.milestone_done(
                user=user,
                project_id=project.pk,
                milestone_id=int(request.POST.get("milestone_id") or 0),
                done_on=timezone.localdate(),
            )
        elif action == "responsible":
            form = page_forms["responsible"]
            if not form.is_valid():
                return False
            services.project_assign_responsible(
                user=user,
                project_id=project.pk,
                responsible_id=form.cleaned_data["responsible"].pk,
            )
        else:
            return False
    except InvalidInput as error:
        target = {"reject": "decision", "approve": "decision"}.get(action, action)
        if target in page_forms:
            attach_errors(page_forms[target], error)
        else:
            messages.error(request, str(error))
        return False
    except NotFound:
        raise Http404() from None
    except ServiceError as error:
        messages.error(request, str(error))
        return False
    return True


@login_required
def project_detail(request, project_id: int):
    user = request.user
    project = _found(selectors.project_detail, user=user, project_id=project_id)
    page_forms = _project_forms(request, project, request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if _run_project_action(request, project, action, page_forms):
            messages.success(request, _("Micro-project updated."))
            return redirect(project)
    runs = user.has_perm(services.RUN_PROJECT) or project.responsible_id == user.pk
    decides = user.has_perm(services.DECIDE_PROJECT)
    steps = []
    for name, (_function, permission, guard) in PROJECT_STEPS.items():
        allowed = decides if permission else runs
        if name == "approve" and project.proposed_by_id == user.pk:
            allowed = False
        if allowed and not community_guards.in_status(project, *_step_sources(name)):
            steps.append({"name": name, "missing": guard(project)})
    # Approval and rejection share one form: the note is the approval's remark or the
    # rejection's reason.
    approve_step = next((step for step in steps if step["name"] == "approve"), None)
    steps = [step for step in steps if step["name"] != "approve"]
    can_reject = decides and project.status == MicroProjectStatus.PROPOSED
    can_visit = (runs or decides) and not community_guards.visitable(project)
    status = 400 if any(form.errors for form in page_forms.values()) else 200
    return render(
        request,
        "community/project_detail.html",
        {
            "project": project,
            "forms": page_forms,
            "steps": steps,
            "approve_step": approve_step,
            "can_reject": can_reject,
            "can_visit": can_visit,
            "can_edit": project.is_open and (user.has_perm(services.PROPOSE_PROJECT) or decides),
            "runs": runs,
        },
        status=status,
    )


def _step_sources(step: str) -> list[str]:
    return {
        "approve": [MicroProjectStatus.PROPOSED],
        "start": [MicroProjectStatus.APPROVED],
        "monitored": [MicroProjectStatus.RUNNING],
        "close": [MicroProjectStatus.MONITORED],
    }[step]


# -- partnership meetings and the action plan ---------------------------------------------------


@login_required
def meeting_list(request):
    user = request.user
    _require_perm(user, selectors.VIEW_WORK)
    page = Paginator(selectors.meeting_list(user=user), 25).get_page(request.GET.get("page"))
    return render(request, "community/meeting_list.html", {"page": page})


@login_required
def meeting_new(request):
    user = request.user
    _require_perm(user, services.RECORD_PARTNERSHIP)
    form = forms.MeetingForm(
        request.POST or None,
        programmes=casework_selectors.programmes_for(user=user),
        initial={"held_on": timezone.localdate()},
    )

    def run(data):
        data["programme_id"] = data.pop("programme").pk
        return services.meeting_record(user=user, **data)

    done = submit(request, form, run, success=_("Partnership meeting recorded."))
    return done or render(
        request, "community/meeting_new.html", {"form": form}, status=form_status(form)
    )


@login_required
def meeting_detail(request, meeting_id: int):
    meeting = _found(selectors.meeting_get, user=request.user, meeting_id=meeting_id)
    return render(request, "community/meeting_detail.html", {"meeting": meeting})


@login_required
def measure_list(request):
    user = request.user
    _require_perm(user, selectors.VIEW_WORK)
    can_record = user.has_perm(services.RECORD_PARTNERSHIP)
    programmes = casework_selectors.programmes_for(user=user)
    organisations = Organisation.objects.filter(programmes__in=programmes).distinct()
    form = forms.MeasureForm(
        request.POST or None,
        programmes=programmes,
        organisations=organisations.order_by("name"),
        initial={"organisation": casework_selectors.organisation_of(user)},
    )
    if request.method == "POST" and can_record and form.is_valid():
        data = dict(form.cleaned_data)
        data["programme_id"] = data.pop("programme").pk
        data["organisation_id"] = data.pop("organisation").pk
        try:
            measure = services.measure_create(user=user, **data)
        except InvalidInput as error:
            attach_errors(form, error)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Measure added to the action plan."))
            return redirect(measure)
    page = Paginator(selectors.measure_list(user=user), 50).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "community/measure_list.html",
        {"page": page, "form": form, "can_record": can_record},
        status=status,
    )


@login_required
def measure_detail(request, measure_id: int):
    user = request.user
    measure = _found(selectors.measure_detail, user=user, measure_id=measure_id)
    action = request.POST.get("action") if request.method == "POST" else None
    status_form = forms.MeasureStatusForm(
        request.POST if action == "status" else None,
        prefix="status",
        initial={"status": measure.status, "done_on": measure.done_on or timezone.localdate()},
    )
    link_form = forms.MeasureLinkForm(
        request.POST if action == "link" else None,
        prefix="link",
        projects=selectors.projects_visible_to(user).filter(programme=measure.programme),
        events=selectors.events_visible_to(user).filter(programme=measure.programme),
    )
    can_record = user.has_perm(services.RECORD_PARTNERSHIP)
    if action and can_record:
        form = status_form if action == "status" else link_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "status":
                    services.measure_set_status(
                        user=user,
                        measure_id=measure.pk,
                        status=data["status"],
                        done_on=data["done_on"],
                    )
                else:
                    project, event = data["micro_project"], data["event"]
                    services.measure_link(
                        user=user,
                        measure_id=measure.pk,
                        micro_project_id=project.pk if project else None,
                        event_id=event.pk if event else None,
                    )
            except InvalidInput as error:
                attach_errors(form, error)
            except ServiceError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Measure updated."))
                return redirect(measure)
    status = 400 if status_form.errors or link_form.errors else 200
    return render(
        request,
        "community/measure_detail.html",
        {
            "measure": measure,
            "status_form": status_form,
            "link_form": link_form,
            "can_record": can_record,
        },
        status=status,
    )
