"""Change reasons, as people read them.

Services stamp every history row with a reason code (``"plan.approve"``); a few add a free-text
part after a colon (``"case.suspend: moved to Budapest for work"``). The timeline shows the
translated action and, separately, the free text as the user typed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

REASONS = {
    # Clients and intake
    "client.register": _("registered the client"),
    "client.update": _("changed the client's data"),
    "import": _("imported the client from a register file"),
    "case.open": _("opened the case"),
    "case.record_consent": _("recorded the client's consent"),
    "case.assign_mentor": _("assigned the mentor"),
    # Consent per purpose (privacy)
    "consent.record": _("recorded a consent"),
    "consent.withdraw": _("recorded the withdrawal of a consent"),
    # Journey
    "case.advance": _("moved to the next stage"),
    "case.suspend": _("suspended the case"),
    "case.resume": _("resumed the case"),
    "case.close_early": _("closed the case early"),
    "case.reopen": _("reopened the case"),
    # Development plan
    "plan.create": _("started the development plan"),
    "plan.update": _("edited the development plan"),
    "plan.submit": _("sent the plan for approval"),
    "plan.approve": _("approved the plan"),
    "plan.return": _("returned the plan for changes"),
    "plan.reopen": _("put the plan back to draft (case reopened)"),
    "goal.add": _("added a goal"),
    "goal.remove": _("removed a goal"),
    "goal.mark_achieved": _("marked a goal achieved or not achieved"),
    # Casework
    "session.record": _("recorded a session"),
    "attendance.correct": _("corrected the attendance sheet"),
    "screening.record": _("recorded the health screening"),
    "placement.record": _("recorded the placement"),
    "follow_up.schedule": _("scheduled a follow-up"),
    "follow_up.record": _("recorded a follow-up"),
    "referral.create": _("referred the client to a partner office"),
    "referral.answer": _("recorded the partner office's answer"),
    "entry_record.take": _("took the ESF+ entry record"),
    "entry_record.entry_date": _("moved the entry date of the ESF+ entry record"),
    "entry_record.undo": _("removed the ESF+ entry record (the entry was undone)"),
    "entry_record.correct": _("corrected the ESF+ entry record"),
    # Community events
    "event.create": _("recorded a community event"),
    "event.attendance": _("recorded event attendance"),
    # Community work: field visits, micro-projects, the partnership
    "field_visit.log": _("logged a field visit"),
    "micro_project.propose": _("proposed the micro-project"),
    "micro_project.edit": _("changed the micro-project's budget or period"),
    "micro_project.assign_responsible": _("named the micro-project's responsible person"),
    "micro_project.approve": _("approved the micro-project"),
    "micro_project.reject": _("rejected the micro-project"),
    "micro_project.start": _("started the micro-project"),
    "micro_project.monitored": _("marked the micro-project monitored"),
    "micro_project.close": _("closed the micro-project"),
    "micro_project.monitoring_visit": _("recorded a monitoring visit"),
    "micro_project.milestone_add": _("added a milestone"),
    "micro_project.milestone_done": _("marked a milestone done"),
    "meeting.record": _("recorded a partnership meeting"),
    "measure.create": _("added an action-plan measure"),
    "measure.planned": _("set the measure to planned"),
    "measure.in_progress": _("set the measure in progress"),
    "measure.done": _("marked the measure done"),
    "measure.dropped": _("dropped the measure"),
    "measure.link": _("linked the measure to what carries it out"),
    # Set-up and audit
    "seed_demo.organisation": _("demo data: organisation"),
    "seed_demo.programme": _("demo data: programme"),
    "seed_demo.membership": _("demo data: consortium membership"),
    "seed_demo.staff_profile": _("demo data: staff profile"),
    "seed_demo.settlement": _("demo data: settlement"),
    "programme.create_from_template": _("created the programme from a template"),
    "review.sign_off": _("signed off the review of the case"),
    "audit.erase": _("erased personal data (lawful erasure)"),
    # Break-glass and the client's rights (privacy)
    "break_glass.open": _("opened the case by break-glass"),
    "break_glass.review": _("reviewed a break-glass access"),
    "rights.record_erasure": _("recorded an erasure request"),
    "rights.record_restriction": _("recorded a restriction request"),
    "rights.reject": _("rejected the request"),
    "rights.restrict": _("restricted the processing of the case"),
    "rights.approve_erasure": _("approved the erasure (waiting for the retention hold)"),
    "rights.erase": _("erased the client's data"),
    "rights.lift": _("lifted the restriction"),
}

_BY_TYPE = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass(frozen=True)
class Reason:
    code: str
    action: str  # translated
    note: str  # the free-text part, as typed


def describe(reason: str | None, *, history_type: str = "~") -> Reason:
    """``"case.suspend: in hospital"`` → ("case.suspend", "suspended the case", "in hospital")."""
    text = (reason or "").strip()
    code, _sep, note = text.partition(":")
    code = code.strip()
    action = REASONS.get(code)
    if action is None:
        # An unknown code is shown as it is, after what the row itself says happened.
        fallback = _BY_TYPE.get(history_type, _("changed"))
        action = f"{fallback} ({code})" if code else str(fallback)
        return Reason(code=code, action=action, note=note.strip())
    return Reason(code=code, action=str(action), note=note.strip())
