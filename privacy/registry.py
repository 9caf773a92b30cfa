"""The record of processing (GDPR Art. 30), in code: every field of every model is either
described here as personal (purpose, legal basis, category, retention, recipients) or named as
not personal. ``tests/privacy/test_registry__completeness.py`` fails when a model gains a field
this file does not decide about.

The audit chain takes its list of committed fields (salted, erasable) from here:
``Field.committed``. History tables mirror their model and are covered by its entry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Processing:
    """One processing activity: why, on which legal basis, how long, who receives it."""

    code: str
    purpose: str
    legal_basis: str
    retention: str
    recipients: str


@dataclass(frozen=True)
class Field:
    processing: Processing
    category: str
    special: bool = False  # GDPR Art. 9 or 10
    committed: bool = False  # salted commitment in the audit chain, erased with the client


CLIENT_FILE = Processing(
    "client_file",
    _("Mentoring of the client and the funded programme's case file"),
    _(
        "Art. 6(1)(e) public task (social-inclusion programme), consent for what needs it; "
        "Art. 9(2)(a) explicit consent or 9(2)(g) for special categories"
    ),
    _("Until the funder's retention hold ends: programme end + the programme's retention years"),
    _(
        "The organisation's staff on the case; partner offices on a referral with the sharing "
        "consent; the funder in aggregates (ESF+ reporting)"
    ),
)
CONSENTS = Processing(
    "consents",
    _("Proof of the client's consents and their withdrawal"),
    _("Art. 7(1) controller must demonstrate consent; Art. 6(1)(c) legal obligation"),
    _("As the client file, and as long as needed to prove a consent"),
    _("The organisation's staff on the case; the data protection officer"),
)
STAFF = Processing(
    "staff",
    _("Staff accounts, roles and who did what in the case work"),
    _("Art. 6(1)(b) employment/contract and 6(1)(f) accountability of the case work"),
    _("While the account exists; in the case records as long as those records"),
    _("The organisation's supervisors and programme admins"),
)
SECURITY = Processing(
    "security",
    _("Account security: login throttling, sessions, second factor, API tokens"),
    _("Art. 6(1)(f) legitimate interest; Art. 32 security of processing"),
    _("Login attempts: the throttling cool-off and log rotation; sessions: 30 minutes idle"),
    _("System administrators"),
)
AUDIT = Processing(
    "audit",
    _("Audit trail: history, hash chains, read log, supervisor sign-off"),
    _("Art. 5(2) accountability and Art. 32; funder audit obligations (Art. 6(1)(c))"),
    _("As the records they describe; personal values are erasable commitments"),
    _("The organisation's supervisors; the funder's auditors on request"),
)
EVENTS = Processing(
    "events",
    _("Community events and their attendance sheets"),
    _("Art. 6(1)(e) public task; consent for photos at events"),
    _("As the client file"),
    _("The organising organisation's staff; the funder in aggregates"),
)
SUBJECT_RIGHTS = Processing(
    "subject_rights",
    _("Handling the client's requests to erase or restrict their data"),
    _("Art. 6(1)(c) legal obligation (GDPR Art. 12, 17 and 18)"),
    _("As the client file; the request stays, without its texts, as proof of the erasure"),
    _("The organisation's supervisors; the data protection officer"),
)
COMMUNITY_WORK = Processing(
    "community_work",
    _("Community work: field visits, micro-projects and partnership meetings"),
    _("Art. 6(1)(e) public task (social-inclusion programme)"),
    _("As the client file"),
    _("The recording organisation's staff; the funder in aggregates"),
)
NOTIFICATIONS = Processing(
    "notifications",
    _("Telling staff about their tasks"),
    _("Art. 6(1)(f) legitimate interest (organising the work)"),
    _("Until read and then as the case"),
    _("The recipient only"),
)

CLIENT_IMPORT = Processing(
    "client_import",
    _("Taking over a client register the organisation kept before (an uploaded file)"),
    _("As the client file: Art. 6(1)(e) public task"),
    _("Until the import is confirmed, and at most 7 days (deleted by the retention purge)"),
    _("The uploader only"),
)

IDENTITY, CONTACT, SOCIO = _("identity"), _("contact"), _("socio-economic (ESF+ entry data)")
RECORD, FREE_TEXT, LINK = _("case record"), _("free text"), _("link to the person")
STAFF_ID, ONLINE = _("staff identity"), _("online identifiers")
HEALTH = _("health (special category)")
SPECIAL = _("special category: ethnicity, health, disability or criminal record (Art. 9/10)")
TARGET_GROUPS = _("target groups: may reveal disability or criminal record (Art. 9/10)")


def _fields(processing: Processing, category, *names: str, **flags) -> dict[str, Field]:
    return {name: Field(processing, category, **flags) for name in names}


C, K = CLIENT_FILE, dict(committed=True)

PERSONAL: dict[str, dict[str, Field]] = {
    "casework.client": {
        **_fields(C, IDENTITY, "family_name", "given_name", "birth_year", "gender", **K),
        # The names folded for search: derived, not in the history, rewritten with the names.
        **_fields(C, IDENTITY, "family_key", "given_key"),
        **_fields(C, CONTACT, "settlement", "phone", **K),
        **_fields(C, SOCIO, "labour_market_status", "education_level", "household", **K),
        "birth_date": Field(C, IDENTITY, committed=True),
        **_fields(
            C,
            SOCIO,
            "unemployed_since",
            "third_country_national",
            "foreign_origin",
            "housing_exclusion",
            **K,
        ),
        "target_groups": Field(C, TARGET_GROUPS, special=True, committed=True),
        **_fields(C, RECORD, "organisation", "created_at"),
    },
    "casework.case": {
        "closure_reason": Field(C, FREE_TEXT, committed=True),
        **_fields(C, LINK, "number", "client"),
        **_fields(
            C,
            RECORD,
            "programme",
            "organisation",
            "stage",
            "suspended_from",
            "closed_from",
            "consent_given_on",
            "outcome",
            "opened_on",
            "closed_on",
            "stage_changed_at",
        ),
        **_fields(STAFF, STAFF_ID, "social_worker", "mentor"),
    },
    "casework.developmentplan": {
        **_fields(C, FREE_TEXT, "summary", "review_comment", **K),
        **_fields(C, RECORD, "case", "status", "client_agreed_on", "submitted_at", "approved_at"),
        **_fields(STAFF, STAFF_ID, "author", "approved_by"),
    },
    "casework.goal": {
        "description": Field(C, FREE_TEXT, committed=True),
        **_fields(C, RECORD, "plan", "area", "target_date", "achieved"),
    },
    "casework.session": {
        **_fields(C, RECORD, "kind", "format", "held_on", "duration_minutes", "topic"),
        "facilitator": Field(STAFF, STAFF_ID),
    },
    "casework.attendance": _fields(C, RECORD, "session", "case", "present"),
    "casework.healthscreening": {
        **_fields(C, HEALTH, "status", "screened_on", "referred_to", special=True),
        "case": Field(C, LINK),
    },
    "casework.placement": {
        "employer": Field(C, SOCIO, committed=True),
        **_fields(
            C, RECORD, "case", "contract_type", "starts_on", "exit_outcome", "exit_recorded_on"
        ),
    },
    "casework.followup": {
        "notes": Field(C, FREE_TEXT, committed=True),
        **_fields(
            C,
            RECORD,
            "case",
            "kind",
            "due_on",
            "status",
            "contacted_on",
            "situation",
            "job_searching",
            "in_education",
            "gained_qualification",
            "employed",
            "improved_situation",
            "exit_on",
            "days_after_exit",
        ),
    },
    # The ESF+ snapshot at entry: the same data as the client's, as it was then.
    "casework.entryrecord": {
        **_fields(C, IDENTITY, "gender", "birth_date", "birth_year", "age", "age_band", **K),
        **_fields(
            C,
            SOCIO,
            "labour_status",
            "unemployed_since",
            "long_term_unemployed",
            "education",
            "third_country_national",
            "foreign_origin",
            "housing_exclusion",
            **K,
        ),
        **_fields(C, CONTACT, "settlement", "rural", **K),
        **_fields(C, LINK, "client", "case"),
        **_fields(C, RECORD, "programme", "entry_date", "complete", "taken_at"),
    },
    "casework.referral": {
        **_fields(C, FREE_TEXT, "purpose", "answer", **K),
        **_fields(C, RECORD, "case", "partner", "referred_on", "status", "answered_on"),
    },
    # An uploaded client register until it is confirmed (then deleted) or goes stale (deleted
    # by ``purge_expired``): the rows and the duplicates found hold the clients' data.
    "casework.clientimport": {
        **_fields(CLIENT_IMPORT, IDENTITY, "rows", "duplicates", "problems"),
        **_fields(
            CLIENT_IMPORT, RECORD, "organisation", "file_name", "uploaded_at", "ignored_columns"
        ),
        "uploaded_by": Field(STAFF, STAFF_ID),
    },
    "casework.staffprofile": _fields(STAFF, STAFF_ID, "user", "organisation", "language"),
    "casework.staffevent": {
        **_fields(STAFF, STAFF_ID, "staff", "made_by", "organisation"),
        **_fields(STAFF, RECORD, "kind", "role_before", "role_after", "made_at"),
        "note": Field(STAFF, FREE_TEXT),
    },
    "privacy.consent": {
        **_fields(
            CONSENTS,
            RECORD,
            "case",
            "purpose",
            "partner",
            "given_on",
            "given_how",
            "expires_on",
            "withdrawn_on",
        ),
        **_fields(CONSENTS, STAFF_ID, "recorded_by", "withdrawn_by"),
    },
    "privacy.specialcategoryrecord": {
        **_fields(
            C,
            SPECIAL,
            "answer",
            "minority",
            "note",
            "correction_reason",
            special=True,
            committed=True,
        ),
        "client": Field(C, LINK),
        **_fields(C, RECORD, "category", "recorded_at"),
        "recorded_by": Field(STAFF, STAFF_ID),
    },
    # Free texts about the client's file: erased with the client (committed).
    "privacy.breakglassgrant": {
        **_fields(AUDIT, FREE_TEXT, "reason", "review_note", **K),
        **_fields(AUDIT, RECORD, "case", "granted_at", "expires_at", "reviewed_at"),
        **_fields(AUDIT, STAFF_ID, "user", "reviewed_by"),
    },
    "privacy.rightsrequest": {
        **_fields(SUBJECT_RIGHTS, FREE_TEXT, "details", "decision_note", **K),
        **_fields(
            SUBJECT_RIGHTS,
            RECORD,
            "case",
            "kind",
            "origin",
            "status",
            "received_on",
            "requested_at",
            "decided_at",
            "held_until",
            "erased_at",
            "lifted_at",
        ),
        **_fields(SUBJECT_RIGHTS, STAFF_ID, "requested_by", "decided_by", "lifted_by"),
    },
    "community.communityevent": {"organiser": Field(STAFF, STAFF_ID)},
    "reporting.target": {"set_by": Field(STAFF, STAFF_ID)},
    "reporting.reportrun": _fields(STAFF, STAFF_ID, "generated_by", "submitted_by"),
    "reporting.exportjob": {"requested_by": Field(STAFF, STAFF_ID)},
    "community.eventattendee": {
        "client": Field(EVENTS, LINK),
        **_fields(EVENTS, IDENTITY, "guest_name", "guest_settlement"),
        "event": Field(EVENTS, RECORD),
    },
    "notifications.notification": {
        **_fields(NOTIFICATIONS, STAFF_ID, "recipient", "recipient_online"),
        **_fields(NOTIFICATIONS, LINK, "title", "url", "case"),
        **_fields(NOTIFICATIONS, RECORD, "read_at", "emailed_at", "withdrawn_at", "created_at"),
    },
    "notifications.socketpresence": _fields(
        SECURITY, ONLINE, "user", "channel_name", "connected_at", "last_seen_at"
    ),
    "notifications.overduealert": {"recipient": Field(NOTIFICATIONS, STAFF_ID)},
    "audit.reviewsignoff": {
        "note": Field(AUDIT, FREE_TEXT, committed=True),
        **_fields(AUDIT, RECORD, "case", "reviewer", "reviewed_at"),
    },
    "audit.accesslog": _fields(AUDIT, RECORD, "at", "user", "client", "case", "action", "what"),
    "audit.chainlink": _fields(AUDIT, LINK, "user", "case", "client", "salts"),
    "audit.chainhead": _fields(AUDIT, LINK, "case_id", "client_id"),
    "auth.user": {
        **_fields(
            STAFF,
            STAFF_ID,
            "username",
            "first_name",
            "last_name",
            "email",
            "groups",
            "date_joined",
            "is_active",
        ),
        **_fields(SECURITY, ONLINE, "password", "last_login"),
    },
    "admin.logentry": {
        # The admin's log names the object it changed ("Kovács Anna"): erased with the client.
        **_fields(AUDIT, RECORD, "object_repr", "change_message", **K),
        **_fields(AUDIT, RECORD, "user", "action_time"),
    },
    "sessions.session": _fields(SECURITY, ONLINE, "session_key", "session_data"),
    "api.apitoken": _fields(SECURITY, ONLINE, "user", "name", "prefix", "digest"),
    "otp_totp.totpdevice": _fields(SECURITY, ONLINE, "user", "name", "key", "last_used_at"),
    **{
        f"axes.{model}": _fields(
            SECURITY,
            ONLINE,
            "user_agent",
            "ip_address",
            "username",
            "http_accept",
            "path_info",
            "attempt_time",
            *extra,
        )
        for model, extra in [
            ("accessattempt", ("get_data", "post_data")),
            ("accessfailurelog", ()),
            ("accesslog", ("logout_time", "session_hash")),
        ]
    },
    # Viewflow's process and tasks of a case: who did which step of whose case, when.
    **{
        label: {
            **_fields(STAFF, STAFF_ID, "owner"),
            **_fields(
                C,
                RECORD,
                "created",
                "assigned",
                "started",
                "finished",
                "data",
                "artifact_object_id",
            ),
        }
        for label in ("viewflow.task", "workflows.casetask")
    },
    **{
        label: _fields(C, RECORD, "created", "finished", "data", "artifact_object_id")
        for label in ("viewflow.process", "workflows.caseprocess")
    },
    # The task boxes' copy of an open task (who must do what on which case, by when); the row
    # goes when the task is done.
    "workflows.opentask": {
        **_fields(STAFF, STAFF_ID, "owner"),
        **_fields(C, RECORD, "case", "created", "due_at"),
    },
    # Community work (community/): field visits may name the clients they concerned, and their
    # free text (topic, follow-up, findings, decisions) may name people.
    "community.fieldvisit": {
        **_fields(COMMUNITY_WORK, FREE_TEXT, "topic", "follow_up"),
        "consultant": Field(STAFF, STAFF_ID),
    },
    "community.fieldvisitclient": {
        "client": Field(COMMUNITY_WORK, LINK),
        "visit": Field(COMMUNITY_WORK, RECORD),
    },
    "community.microproject": {
        **_fields(COMMUNITY_WORK, FREE_TEXT, "description", "decision_note"),
        **_fields(STAFF, STAFF_ID, "responsible", "proposed_by"),
    },
    "community.monitoringvisit": {
        "findings": Field(COMMUNITY_WORK, FREE_TEXT),
        "visitor": Field(STAFF, STAFF_ID),
    },
    "community.partnershipmeeting": {
        "decisions": Field(COMMUNITY_WORK, FREE_TEXT),
        "recorded_by": Field(STAFF, STAFF_ID),
    },
    "community.meetingattendee": {
        "name": Field(COMMUNITY_WORK, IDENTITY),
        **_fields(COMMUNITY_WORK, RECORD, "meeting", "organisation"),
    },
}

# Fields that hold no personal data, decided one by one: programme set-up, codes and states,
# keys and workflow machinery.
_TASK_MACHINERY = (
    "flow_task",
    "flow_task_type",
    "status",
    "scheduled",
    "token",
    "external_task_id",
    "owner_permission",
    "owner_permission_content_type",
    "owner_permission_obj_pk",
    "process",
    "seed_content_type",
    "seed_object_id",
    "artifact_content_type",
    "previous",
)
_PROCESS_MACHINERY = (
    "flow_class",
    "status",
    "parent_task",
    "seed_content_type",
    "seed_object_id",
    "artifact_content_type",
)
NOT_PERSONAL: dict[str, tuple[str, ...]] = {
    "casework.programme": (
        "name",
        "funder_code",
        "country",
        "starts_on",
        "ends_on",
        "uses_training",
        "uses_screening",
        "uses_placement",
        "uses_follow_up",
        "attendance_threshold",
        "planned_sessions",
        "first_follow_up_days",
        "second_follow_up_days",
        "participant_rule",
        "retention_years",
    ),
    "casework.settlement": ("country", "name", "rural"),
    "casework.programmelocation": ("programme", "settlement"),
    "casework.organisation": ("name", "kind", "settlement", "programmes"),
    "casework.consortiummembership": ("programme", "organisation", "role"),
    "casework.session": ("organisation",),
    "community.communityevent": (
        "programme",
        "organisation",
        "kind",
        "title",
        "settlement",
        "venue",
        "held_on",
    ),
    "reporting.target": (
        "programme",
        "indicator",
        "organisation",
        "settlement",
        "baseline",
        "value",
        "deadline",
    ),
    # Generated reports and export files hold aggregates only (counts per partner and place).
    "reporting.reportrun": (
        "programme",
        "period_number",
        "period_starts_on",
        "period_ends_on",
        "as_of",
        "organisation",
        "records_at",
        "from_history",
        "omitted",
        "generated_at",
        "code_version",
        "submitted_at",
    ),
    "reporting.reportfigure": (
        "run",
        "indicator",
        "level",
        "organisation_id_then",
        "organisation_name",
        "location",
        "value",
        "target_value",
        "target_deadline",
    ),
    # Sums of attendance per partner, settlement, month (or day) and kind, kept by the database from
    # the lines (reporting.kept): no person in them, and a line's erasure takes its minutes.
    "reporting.attendedminutes": (
        "programme",
        "organisation",
        "place",
        "month",
        "kind",
        "minutes",
        "lines",
    ),
    "reporting.attendeddayminutes": (
        "programme",
        "organisation",
        "place",
        "day",
        "kind",
        "minutes",
        "lines",
    ),
    "reporting.exportjob": (
        "programme",
        "organisation",
        "kind",
        "format",
        "as_of",
        "language",
        "status",
        "steps_done",
        "steps_total",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "filename",
        "content",
        "error",
    ),
    "notifications.notification": ("event", "task_id"),
    "notifications.overduealert": ("task_id", "kind", "on_date", "created_at"),
    "audit.chainhead": ("key", "seq", "hash", "organisation_id", "stage"),
    "audit.chainschema": ("digest", "model", "fields"),
    "audit.chainlink": (
        "head",
        "seq",
        "model",
        "history_id",
        "object_id",
        "history_type",
        "history_date",
        "organisation_id",
        "stage",
        "reason_code",
        "schema",
        "digest",
        "hash",
    ),
    "audit.reviewsignoff": ("up_to_link",),
    "auth.user": ("is_superuser", "is_staff", "user_permissions"),
    "auth.permission": ("name", "content_type", "codename"),
    "auth.group": ("name", "permissions"),
    "contenttypes.contenttype": ("app_label", "model"),
    "admin.logentry": ("content_type", "object_id", "action_flag"),
    "sessions.session": ("expire_date",),
    "api.apitoken": ("created_at", "revoked_at"),
    "otp_totp.totpdevice": (
        "confirmed",
        "throttling_failure_timestamp",
        "throttling_failure_count",
        "created_at",
        "step",
        "t0",
        "digits",
        "tolerance",
        "drift",
        "last_t",
    ),
    "axes.accessattempt": ("failures_since_start",),
    "axes.accessfailurelog": ("locked_out",),
    "axes.accessattemptexpiration": ("access_attempt", "expires_at"),
    "viewflow.task": _TASK_MACHINERY,
    "workflows.casetask": _TASK_MACHINERY,
    "viewflow.process": _PROCESS_MACHINERY,
    "workflows.caseprocess": _PROCESS_MACHINERY,
    "workflows.opentask": ("task", "organisation", "stage", "node", "owner_permission"),
    "community.fieldvisit": (
        "programme",
        "organisation",
        "kind",
        "visited_on",
        "settlement",
        "locality",
        "people_reached",
    ),
    "community.microproject": (
        "programme",
        "organisation",
        "title",
        "settlement",
        "budget",
        "starts_on",
        "ends_on",
        "status",
        "status_changed_on",
    ),
    "community.milestone": ("project", "title", "due_on", "done_on"),
    "community.monitoringvisit": ("project", "visited_on", "is_final"),
    "community.partnershipmeeting": ("programme", "organisation", "title", "held_on", "settlement"),
    "community.measure": ("programme", "organisation", "title", "deadline", "status", "done_on"),
    "community.measurelink": ("measure", "micro_project", "event"),
}


def committed_fields() -> dict[str, tuple[str, ...]]:
    """Per model label, the personal fields the audit chain commits (salted, erasable)."""
    return {
        label: tuple(name for name, field in fields.items() if field.committed)
        for label, fields in PERSONAL.items()
        if any(field.committed for field in fields.values())
    }


def special_category_fields() -> dict[str, tuple[str, ...]]:
    return {
        label: tuple(name for name, field in fields.items() if field.special)
        for label, fields in PERSONAL.items()
        if any(field.special for field in fields.values())
    }


CSV_COLUMNS = (
    "model",
    "field",
    "category",
    "special category",
    "purpose",
    "legal basis",
    "retention",
    "recipients",
)


def rows() -> list[tuple[str, ...]]:
    """The record of processing, one row per personal field, in the active language."""
    return [
        (
            label,
            name,
            str(field.category),
            "yes" if field.special else "",
            str(field.processing.purpose),
            str(field.processing.legal_basis),
            str(field.processing.retention),
            str(field.processing.recipients),
        )
        for label, fields in sorted(PERSONAL.items())
        for name, field in fields.items()
    ]


def as_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows())
    return out.getvalue()
