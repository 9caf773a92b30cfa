"""Reads of the audit trail, always scoped (DESIGN.md rule 5).

The timeline and the organisation-wide list page through ``ChainLink`` with keyset pagination
on (history_date, id). A list page is one index range scan. A timeline page is three (the case's
chain, its client's, its sessions'), merged; then one query finds each entry's previous version,
one reads the rows from every kind of record's history table (``audit.rows``), one reads the
case's workflow tasks and one reads the names of related records in the diffs. Nothing depends
on how long the history is, nor on how many kinds of record a page shows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from casework import selectors as casework_selectors
from casework.journey import Stage
from casework.models import Attendance, Case, Session
from kernel.errors import NotFound
from privacy import special

from . import diff, reasons, registry
from .models import AccessLog, ChainLink, ReviewSignOff
from .permissions import Right, has_right
from .rows import history_rows

PAGE_SIZE = 50
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


# --------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------


def case_for_audit(*, user, case_id, right: str = Right.TIMELINE) -> Case:
    """The case, if ``user`` may see its audit trail (``right``); otherwise ``NotFound``, the
    same answer as for a case that does not exist."""
    if not has_right(user, right):
        raise NotFound()
    return casework_selectors.case_get(user=user, case_id=case_id)


def client_for_audit(*, user, client_id):
    if not has_right(user, Right.ACCESS_LOG):
        raise NotFound()
    return casework_selectors.client_get(user=user, client_id=client_id)


def case_link_branches(case: Case) -> list[QuerySet[ChainLink]]:
    """The case's timeline as three index-friendly parts: its own chain (case, plan, goals,
    attendance, screening, placement, follow-ups, referrals, sign-offs), its client's chain and
    its sessions' chains."""
    sessions = _attendance_history().objects.filter(case_id=case.pk).values("session_id")
    return [
        ChainLink.objects.filter(case_id=case.pk),
        ChainLink.objects.filter(model=registry.CLIENT, object_id=case.client_id),
        ChainLink.objects.filter(model=registry.SESSION, object_id__in=sessions),
    ]


def _attendance_history():
    return registry.history_model(Attendance)


def case_links(case: Case) -> QuerySet[ChainLink]:
    """Every chain link of the case's timeline, as one queryset."""
    sessions = _attendance_history().objects.filter(case_id=case.pk).values("session_id")
    return ChainLink.objects.filter(
        Q(case_id=case.pk)
        | Q(model=registry.CLIENT, object_id=case.client_id)
        | Q(model=registry.SESSION, object_id__in=sessions)
    )


def newest_link_id() -> int:
    """The newest chain link of all (the primary key index: instant)."""
    return ChainLink.objects.aggregate(newest=Max("id"))["newest"] or 0


def review_marks(case: Case, sign_off: ReviewSignOff | None) -> tuple[int, int | None]:
    """The newest chain link anywhere (the mark a sign-off records: everything the reviewer
    could have seen is at or below it) and, if ``sign_off``, how many changes of this case
    came after it. One query; each count is an index range scan of one branch."""
    newest = Subquery(ChainLink.objects.order_by("-id").values("id")[:1])
    if sign_off is None:
        return newest_link_id(), None
    after = Q(id__gt=sign_off.up_to_link) & ~Q(model=registry.REVIEW)
    counts = {
        f"since{n}": Coalesce(_count(branch.filter(after)), 0)
        for n, branch in enumerate(case_link_branches(case))
    }
    marks = (
        Case.objects.filter(pk=case.pk).annotate(newest=newest, **counts).values("newest", *counts)
    ).get()
    return marks["newest"] or 0, sum(marks[name] for name in counts)


def _count(links: QuerySet) -> Subquery:
    return Subquery(
        links.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n")
    )


def last_sign_off(*, case: Case, user) -> ReviewSignOff | None:
    return ReviewSignOff.objects.filter(case=case, reviewer=user).order_by("-id").first()


def changes_since(case: Case, sign_off: ReviewSignOff) -> int:
    return review_marks(case, sign_off)[1]


# --------------------------------------------------------------------------------------------
# Filters and cursors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    user_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    record_type: str = ""  # a registry code, or registry.TASK
    stage: str = ""
    since_link: int | None = None  # only entries newer than this link (a review's mark)
    since_moment: datetime.datetime | None = None  # ... and task events after this moment

    def apply(self, links: QuerySet[ChainLink]) -> QuerySet[ChainLink]:
        if self.user_id:
            links = links.filter(user_id=self.user_id)
        if self.date_from:
            links = links.filter(history_date__gte=start_of_day(self.date_from))
        if self.date_to:
            links = links.filter(history_date__lt=start_of_day(self.date_to, days=1))
        if self.record_type:
            record = registry.BY_CODE.get(self.record_type)
            links = links.filter(model=record.label) if record else links.none()
        if self.stage:
            links = links.filter(stage=self.stage)
        if self.since_link is not None:
            links = links.filter(id__gt=self.since_link).exclude(model=registry.REVIEW)
        return links

    def accepts_task_event(self, event: Entry) -> bool:
        if self.record_type not in ("", registry.TASK):
            return False
        if self.user_id and event.user_id != self.user_id:
            return False
        if self.date_from and event.at < start_of_day(self.date_from):
            return False
        if self.date_to and event.at >= start_of_day(self.date_to, days=1):
            return False
        if self.stage and event.stage != self.stage:
            return False
        return not (self.since_moment is not None and event.at <= self.since_moment)


def start_of_day(day: datetime.date, *, days: int = 0) -> datetime.datetime:
    moment = datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time.min)
    return timezone.make_aware(moment)


@dataclass(frozen=True)
class Cursor:
    """A position in (history_date, id) order, as a URL-safe token."""

    moment: datetime.datetime
    id: int

    @property
    def token(self) -> str:
        return f"{to_micros(self.moment)}.{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        try:
            micros, link_id = (token or "").split(".")
            return cls(from_micros(int(micros)), int(link_id))
        except (TypeError, ValueError, OverflowError):
            return None


def to_micros(moment: datetime.datetime) -> int:
    return (moment - EPOCH) // datetime.timedelta(microseconds=1)


def from_micros(micros: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(microseconds=micros)


@dataclass
class KeysetPage:
    links: list
    newer: Cursor | None  # for ?after=
    older: Cursor | None  # for ?before=
    window: tuple[datetime.datetime | None, datetime.datetime | None]  # (low, high]


def keyset(
    links: QuerySet | list[QuerySet],
    *,
    before: Cursor | None,
    after: Cursor | None,
    size: int,
):
    """One page of ``links``, newest first, and the time window it covers, so that events that
    are not links (workflow tasks) can be placed on exactly one page.

    ``links`` may be several querysets (branches of one timeline): each is read in index order
    up to the page size and the branches are merged, which keeps every read an index range scan
    where one query with ``OR`` would sort the whole timeline."""
    branches = links if isinstance(links, list) else [links]
    if after is not None:
        rows = _merged(branches, _after(after), ("history_date", "id"), size + 1, reverse=False)
        newer_neighbour = rows[size] if len(rows) > size else None
        rows = rows[:size][::-1]
        if not rows:  # past the newest: show the first page
            return keyset(branches, before=None, after=None, size=size)
        has_newer, has_older = newer_neighbour is not None, True
        high = newer_neighbour.history_date if newer_neighbour else None
    else:
        older = _before(before) if before is not None else Q()
        rows = _merged(branches, older, ("-history_date", "-id"), size + 1, reverse=True)
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None
        high = before.moment if before is not None else None
    low = rows[-1].history_date if rows and has_older else None
    return KeysetPage(
        links=rows,
        newer=Cursor(rows[0].history_date, rows[0].id) if rows and has_newer else None,
        older=Cursor(rows[-1].history_date, rows[-1].id) if rows and has_older else None,
        window=(low, high),
    )


def _before(cursor: Cursor) -> Q:
    """(history_date, id) < cursor. The redundant ``history_date <= moment`` gives the database
    an index range to start from; without it, an ``OR`` alone makes PostgreSQL walk the index
    from the newest row down to the cursor (measured: 280 ms in the middle of a million rows)."""
    return Q(history_date__lte=cursor.moment) & (
        Q(history_date__lt=cursor.moment) | Q(id__lt=cursor.id)
    )


def _after(cursor: Cursor) -> Q:
    """(history_date, id) > cursor; see ``_before``."""
    return Q(history_date__gte=cursor.moment) & (
        Q(history_date__gt=cursor.moment) | Q(id__gt=cursor.id)
    )


# The page does not need the chain's hashes of personal fields.
_PAGE_DEFERRED = ("salts", "digest", "schema")


def _merged(branches, position: Q, order, limit: int, *, reverse: bool) -> list[ChainLink]:
    rows = []
    for branch in branches:
        rows.extend(branch.filter(position).defer(*_PAGE_DEFERRED).order_by(*order)[:limit])
    rows.sort(key=lambda link: (link.history_date, link.id), reverse=reverse)
    return rows[:limit]


# --------------------------------------------------------------------------------------------
# Timeline entries
# --------------------------------------------------------------------------------------------


# The day each kind of record (a ``registry.RECORD_TYPES`` code) is about, for records entered
# from paper later (issue 13): the history row's own time says when it was entered, this field
# the day it describes.
ABOUT_DATE = {
    "case": "opened_on",
    "plan": "client_agreed_on",
    "session": "held_on",
    "screening": "screened_on",
    "follow_up": "contacted_on",
    "referral": "answered_on",
}


@dataclass
class Entry:
    key: str
    at: datetime.datetime
    user_id: int | None
    record_type: str
    record_label: str
    action: str
    reason_code: str = ""
    note: str = ""
    user: str = ""
    object_id: int | None = None
    object_label: str = ""
    history_id: int | None = None
    history_type: str = ""
    stage: str = ""
    changes: list = field(default_factory=list)
    link_id: int | None = None
    link_hash: str = ""
    new_since_review: bool = False
    row: dict | None = field(default=None, repr=False, compare=False)  # the history row

    @property
    def about_date(self) -> datetime.date | None:
        """The day a record entered later describes (a paper form's date), when that is not
        the day it was entered; None otherwise."""
        name = ABOUT_DATE.get(self.record_type) if self.row else None
        day = self.row.get(name) if name else None
        if not isinstance(day, datetime.date) or day == timezone.localdate(self.at):
            return None
        return day

    @property
    def stage_label(self) -> str:
        return _stage_labels(get_language()).get(self.stage, "")

    @property
    def at_token(self) -> int:
        return to_micros(self.at)

    @property
    def kind(self) -> str:
        """created / changed / deleted, or task for a workflow task event."""
        return HISTORY_TYPES.get(self.history_type, self.history_type)

    def as_json(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "user": self.user,
            "user_id": self.user_id,
            "record_type": self.record_type,
            "record": self.record_label,
            "object_id": self.object_id,
            "object": self.object_label,
            "history_id": self.history_id,
            "history_type": self.kind,
            "action": self.action,
            "reason": self.reason_code,
            "note": self.note,
            "stage": self.stage,
            "about_date": self.about_date.isoformat() if self.about_date else None,
            "changes": [change.as_json() for change in self.changes],
            "chain_hash": self.link_hash,
        }


@lru_cache(maxsize=32)
def _stage_labels(language: str | None) -> dict[str, str]:
    return {stage.value: str(stage.label) for stage in Stage}


@lru_cache(maxsize=256)
def _record_label(record: registry.RecordType, language: str | None) -> str:
    return str(capfirst(record.verbose_name))


@dataclass
class TimelinePage:
    entries: list[Entry]
    newer: Cursor | None
    older: Cursor | None


def timeline(
    *,
    user,
    case: Case,
    filters: Filters = Filters(),
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
    review: ReviewSignOff | None = None,
) -> TimelinePage:
    """One page of the case's audit timeline, newest first."""
    show_special = special.can_see_all(user, case)
    if filters.record_type == registry.TASK:
        page = KeysetPage(links=[], newer=None, older=None, window=(None, None))
    else:
        branches = [filters.apply(branch) for branch in _branches_for(case, filters)]
        page = keyset(branches, before=before, after=after, size=size)
    refs = diff.Refs()
    entries = link_entries(page.links, show_special=show_special, refs=refs)
    low, high = page.window
    events = task_events(case) if filters.record_type in ("", registry.TASK) else []
    entries.extend(
        event
        for event in events
        if (low is None or event.at > low)
        and (high is None or event.at <= high)
        and filters.accepts_task_event(event)
    )
    refs.resolve()
    finish(entries, refs, review=review)
    entries.sort(key=lambda e: (e.at, e.link_id or 0), reverse=True)
    return TimelinePage(entries=entries, newer=page.newer, older=page.older)


def _branches_for(case: Case, filters: Filters) -> list[QuerySet[ChainLink]]:
    """Only the parts of the timeline the record-type filter can match."""
    own, client, sessions = case_link_branches(case)
    if filters.record_type == "client":
        return [client]
    if filters.record_type == "session":
        return [sessions]
    if filters.record_type:
        return [own]
    if filters.stage:  # client and session links carry no stage
        return [own]
    return [own, client, sessions]


def iter_timeline(*, user, case: Case, chunk: int = 500):
    """Every entry of the case's timeline, oldest first, in chunks of constant query count
    (exports)."""
    show_special = special.can_see_all(user, case)
    events = sorted(task_events(case), key=lambda e: e.at)
    branches = case_link_branches(case)
    position = None
    while True:
        after = _after(position) if position is not None else Q()
        rows = _merged(branches, after, ("history_date", "id"), chunk, reverse=False)
        refs = diff.Refs()
        entries = link_entries(rows, show_special=show_special, refs=refs)
        last = rows[-1].history_date if len(rows) == chunk else None
        while events and (last is None or events[0].at <= last):
            entries.append(events.pop(0))
        refs.resolve()
        finish(entries, refs)
        entries.sort(key=lambda e: (e.at, e.link_id or 0))
        yield from entries
        if len(rows) < chunk:
            return
        position = Cursor(rows[-1].history_date, rows[-1].id)


def _previous_history_ids(links) -> dict[int, int | None]:
    """{link id: history id of the same object's previous version}, in one query over the given
    links only (as an annotation of the page query, SQLite would compute it for every row of the
    timeline before sorting)."""
    if not links:
        return {}
    return dict(
        ChainLink.objects.filter(pk__in=[link.pk for link in links])
        .annotate(previous=_previous_history_id())
        .values_list("pk", "previous")
    )


def _previous_history_id() -> Subquery:
    return Subquery(
        ChainLink.objects.filter(
            model=OuterRef("model"),
            object_id=OuterRef("object_id"),
            history_id__lt=OuterRef("history_id"),
        )
        .order_by("-history_id")
        .values("history_id")[:1]
    )


def link_entries(links, *, show_special: bool, refs: diff.Refs) -> list[Entry]:
    """Entries for chain links: one query for the previous version of each (through the chain
    links' object index, for the page's links only), then one for the rows themselves, by
    primary key, from every kind of record's history table at once (``audit.rows``)."""
    previous_ids = _previous_history_ids(links)
    wanted: dict[type, set[int]] = defaultdict(set)
    for link in links:
        history = _history_model(link.model)
        wanted[history].add(link.history_id)
        if previous_ids.get(link.pk) is not None:
            wanted[history].add(previous_ids[link.pk])
    found = history_rows(wanted)
    entries = []
    for link in links:
        record = registry.BY_LABEL.get(link.model)
        model = record.model if record else None
        history = _history_model(link.model)
        row = found.get((history, link.history_id))
        if model is None or row is None:  # a deleted row: verify_audit reports it
            continue
        previous = found.get((history, previous_ids.get(link.pk)))
        reason = reasons.describe(
            row.get("history_change_reason"), history_type=row["history_type"]
        )
        entry = Entry(
            key=f"h{link.id}",
            at=link.history_date,
            user_id=link.user_id,
            record_type=record.code,
            record_label=_record_label(record, get_language()),
            action=reason.action,
            reason_code=reason.code,
            note=reason.note,
            object_id=link.object_id,
            history_id=link.history_id,
            history_type=link.history_type,
            stage=link.stage,
            changes=diff.diff(model, record, row, previous, show_special=show_special, refs=refs),
            link_id=link.id,
            link_hash=link.hash,
            row=row,
        )
        _want_object(entry, refs)
        refs.want(_user_model(), link.user_id)
        entries.append(entry)
    return entries


def _history_model(label: str):
    from django.apps import apps

    return registry.history_model(apps.get_model(label))


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def _want_object(entry: Entry, refs: diff.Refs) -> None:
    from casework.models import Organisation, Session

    row = entry.row
    if entry.record_type == "attendance":
        refs.want(Session, row.get("session_id"))
    elif entry.record_type == "referral":
        refs.want(Organisation, row.get("partner_id"))
    elif entry.record_type == "review":
        refs.want(_user_model(), row.get("reviewer_id"))


def _object_label(entry: Entry, refs: diff.Refs) -> str:
    from casework.models import Organisation, Session

    row = entry.row
    record = registry.BY_CODE[entry.record_type]
    model = record.model

    def choice(name):
        return diff.display(model._meta.get_field(name), row.get(name), refs)

    labels = {
        "case": lambda: row.get("number", ""),
        "client": lambda: f"{row.get('family_name', '')} {row.get('given_name', '')}".strip(),
        "plan": lambda: str(capfirst(record.verbose_name)),
        "goal": lambda: (row.get("description") or "")[:80],
        "session": lambda: f"{row.get('topic', '')} ({choice('held_on')})",
        "attendance": lambda: refs.name(Session, row.get("session_id")),
        "screening": lambda: choice("status"),
        "placement": lambda: row.get("employer") or choice("exit_outcome"),
        "follow_up": lambda: choice("kind"),
        "referral": lambda: (
            f"{refs.name(Organisation, row.get('partner_id'))}: {row.get('purpose', '')}"
        ),
        "review": lambda: refs.name(_user_model(), row.get("reviewer_id")),
    }
    return labels.get(entry.record_type, lambda: "")()


def finish(entries: list[Entry], refs: diff.Refs, *, review: ReviewSignOff | None = None) -> None:
    """Fill in names (after ``refs.resolve()``) and the "new since your review" marks."""
    for entry in entries:
        if entry.user_id is not None and not entry.user:
            entry.user = refs.name(_user_model(), entry.user_id)
        if entry.row is not None:
            entry.object_label = _object_label(entry, refs)
            model = registry.BY_CODE[entry.record_type].model
            diff.render(entry.changes, refs, model_label=model._meta.label_lower)
        if review is not None:
            if entry.link_id is not None:
                entry.new_since_review = (
                    entry.link_id > review.up_to_link and entry.record_type != "review"
                )
            else:
                entry.new_since_review = entry.at > review.reviewed_at


# --------------------------------------------------------------------------------------------
# Workflow tasks
# --------------------------------------------------------------------------------------------


def _node_stages() -> dict[str, str]:
    from workflows.stage_tasks import STAGE_TASKS

    return {node: stage for stage, nodes in STAGE_TASKS.items() for node in nodes}


def task_events(case: Case) -> list[Entry]:
    """Created / claimed / done / cancelled events of the case's human tasks (one query).

    Viewflow keeps no history of a task row: a task reassigned to a new mentor shows its
    current owner."""
    from workflows import engine
    from workflows.models import CaseTask

    tasks = (
        CaseTask.objects.filter(process__in=engine.processes_of(case), flow_task_type="HUMAN")
        .select_related("owner", "process")
        .order_by("created", "id")
    )
    stages = _node_stages()
    record_label = str(capfirst(_("workflow task")))
    events = []
    for task in tasks:
        node = task.flow_task
        title = str(node.task_title) if node is not None else str(task.flow_task)
        owner = task.owner
        owner_name = (owner.get_full_name() or owner.username) if owner else ""
        stage = stages.get(node.name, "") if node is not None else ""

        def event(kind, at, action, user=None, note="", task=task, title=title, stage=stage):
            return Entry(
                key=f"t{task.pk}-{kind}",
                at=at,
                user_id=user.pk if user else None,
                user=(user.get_full_name() or user.username) if user else "",
                record_type=registry.TASK,
                record_label=record_label,
                action=action,
                note=note,
                object_id=task.pk,
                object_label=title,
                history_type=registry.TASK,
                stage=stage,
            )

        claimed_later = task.assigned and (task.assigned - task.created).total_seconds() > 1
        if owner and not claimed_later:
            note = _("assigned to %(name)s") % {"name": owner_name}
        elif owner is None:
            note = _("waiting in the supervisors' queue")
        else:
            note = ""
        events.append(event("created", task.created, _("task opened"), note=note))
        if owner and claimed_later:
            events.append(event("claimed", task.assigned, _("task claimed"), user=owner))
        if task.status == STATUS.DONE and task.finished:
            events.append(event("done", task.finished, _("task done"), user=owner))
        elif task.status == STATUS.CANCELED:
            at = task.finished or task.process.finished or task.created
            events.append(event("cancelled", at, _("task cancelled")))
    return events


# --------------------------------------------------------------------------------------------
# The organisation-wide list
# --------------------------------------------------------------------------------------------


@dataclass
class ListRow:
    link: ChainLink
    record_label: str
    action: str
    object_label: str  # the session's topic for a session row
    client_label: str

    @property
    def stage_label(self) -> str:
        return _stage_labels(get_language()).get(self.link.stage, "")


@dataclass
class ListPage:
    rows: list[ListRow]
    newer: Cursor | None
    older: Cursor | None


def organisation_links(*, user) -> QuerySet[ChainLink]:
    """Every timeline link of the supervisor's organisation: the same cases as
    ``cases_visible_to`` gives a supervisor (their organisation's), their clients and sessions."""
    if not has_right(user, Right.ORG_LIST):
        raise NotFound()
    organisation = casework_selectors.organisation_of(user)
    if organisation is None:
        raise NotFound()
    return ChainLink.objects.filter(
        organisation_id=organisation.pk, model__in=registry.TIMELINE_LABELS
    )


def organisation_list(
    *,
    user,
    filters: Filters = Filters(),
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> ListPage:
    """One page of every audit entry in the supervisor's scope, newest first, in one query: a
    session's name (sessions belong to no case) comes with its link, so that the page costs the
    same whether sessions are on it or not."""

    def session_field(name: str):
        session = Session.objects.filter(pk=OuterRef("object_id")).values(name)[:1]
        return SqlCase(When(model=registry.SESSION, then=Subquery(session)), default=None)

    links = (
        filters.apply(organisation_links(user=user))
        .select_related("user", "case", "client")
        .annotate(session_topic=session_field("topic"), session_held_on=session_field("held_on"))
    )
    page = keyset(links, before=before, after=after, size=size)
    rows = []
    for link in page.links:
        record = registry.BY_LABEL[link.model]
        label = ""
        if link.model == registry.SESSION:
            held_on = link.session_held_on
            label = (
                f"{link.session_topic} ({held_on:%Y-%m-%d})"
                if held_on is not None
                else f"#{link.object_id}"
            )
        client = link.client
        rows.append(
            ListRow(
                link=link,
                record_label=str(capfirst(record.verbose_name)),
                action=reasons.describe(link.reason_code, history_type=link.history_type).action,
                object_label=label,
                client_label=f"{client.family_name} {client.given_name}" if client else "",
            )
        )
    return ListPage(rows=rows, newer=page.newer, older=page.older)


# --------------------------------------------------------------------------------------------
# Who viewed a client
# --------------------------------------------------------------------------------------------


@dataclass
class AccessPage:
    rows: list
    viewers: list
    older: int | None


def client_access(*, client, before_id: int | None = None, size: int = PAGE_SIZE) -> AccessPage:
    logs = AccessLog.objects.filter(client=client)
    page = logs.select_related("user", "case").order_by("-id")
    if before_id:
        page = page.filter(id__lt=before_id)
    rows = list(page[: size + 1])
    viewers = [
        {
            **row,
            "name": f"{row['user__first_name']} {row['user__last_name']}".strip()
            or row["user__username"],
        }
        for row in logs.values("user_id", "user__username", "user__first_name", "user__last_name")
        .annotate(views=Count("id"), last=Max("at"))
        .order_by("-last")
    ]
    return AccessPage(
        rows=rows[:size], viewers=viewers, older=rows[size - 1].id if len(rows) > size else None
    )


# --------------------------------------------------------------------------------------------
# Time travel
# --------------------------------------------------------------------------------------------


@dataclass
class Record:
    title: str
    facts: list


@dataclass
class Section:
    title: str
    records: list[Record]


def case_as_of(*, user, case: Case, moment: datetime.datetime) -> list[Section] | None:
    """The case and everything attached to it as they stood at ``moment`` (simple-history's
    ``as_of``); ``None`` if the case did not exist yet."""
    from casework.models import (
        Client,
        DevelopmentPlan,
        FollowUp,
        Goal,
        HealthScreening,
        Placement,
        Referral,
        Session,
    )

    state = Case.history.as_of(moment).filter(id=case.pk).first()
    if state is None:
        return None
    show_special = special.can_see_all(user, case)
    client = Client.history.as_of(moment).filter(id=case.client_id).first()
    plan = DevelopmentPlan.history.as_of(moment).filter(case_id=case.pk).first()
    goals = list(Goal.history.as_of(moment).filter(plan_id=plan.pk).order_by("id")) if plan else []
    attendance = list(Attendance.history.as_of(moment).filter(case_id=case.pk).order_by("id"))
    sessions = {
        s.pk: s
        for s in Session.history.as_of(moment).filter(id__in=[a.session_id for a in attendance])
    }
    screening = HealthScreening.history.as_of(moment).filter(case_id=case.pk).first()
    placement = Placement.history.as_of(moment).filter(case_id=case.pk).first()
    follow_ups = list(FollowUp.history.as_of(moment).filter(case_id=case.pk).order_by("due_on"))
    referrals = list(Referral.history.as_of(moment).filter(case_id=case.pk).order_by("id"))

    refs = diff.Refs()
    groups = [
        (capfirst(Case._meta.verbose_name), [state]),
        (capfirst(Client._meta.verbose_name), [client] if client else []),
        (capfirst(DevelopmentPlan._meta.verbose_name), [plan] if plan else []),
        (capfirst(Goal._meta.verbose_name_plural), goals),
        (
            capfirst(Session._meta.verbose_name_plural),
            [sessions[a.session_id] for a in attendance if a.session_id in sessions],
        ),
        (capfirst(Attendance._meta.verbose_name), attendance),
        (capfirst(HealthScreening._meta.verbose_name), [screening] if screening else []),
        (capfirst(Placement._meta.verbose_name), [placement] if placement else []),
        (capfirst(FollowUp._meta.verbose_name_plural), follow_ups),
        (capfirst(Referral._meta.verbose_name_plural), referrals),
    ]

    def values(obj):
        return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}

    for _title, objects in groups:
        for obj in objects:
            record = registry.BY_LABEL.get(type(obj)._meta.label_lower)
            diff.want_facts(type(obj), record, values(obj), refs)
    refs.resolve()
    sections = []
    for title, objects in groups:
        records = []
        for obj in objects:
            model = type(obj)
            record = registry.BY_LABEL.get(model._meta.label_lower)
            records.append(
                Record(
                    title=str(capfirst(model._meta.verbose_name)),
                    facts=diff.facts(
                        model, record, values(obj), show_special=show_special, refs=refs
                    ),
                )
            )
        sections.append(Section(title=str(title), records=records))
    return sections


def cases_changed_since_review(*, user, limit: int = 20) -> list[Case]:
    """Cases this supervisor signed off whose trail has grown since, most recent change first.
    Two correlated subqueries on indexed columns, run for the signed-off cases only: one query,
    whatever the history length."""
    if not has_right(user, Right.SIGN_OFF):
        return []
    reviewed_up_to = (
        ReviewSignOff.objects.filter(case=OuterRef("pk"), reviewer=user)
        .order_by("-up_to_link")
        .values("up_to_link")[:1]
    )
    # Ordered as the (case, history_date, id) index: a backward index scan, top one.
    # A sign-off is itself chained: it must not count as a change to review.
    newest_link = (
        ChainLink.objects.filter(case=OuterRef("pk"))
        .exclude(model=ReviewSignOff._meta.label_lower)
        .order_by("-history_date", "-id")
        .values("id")[:1]
    )
    # Only the cases this reviewer ever signed off (the reviewer's index): the subqueries above
    # then run for those, not for every case of the organisation (2,000 index probes each for
    # a supervisor who signed off none, BENCHMARKS.md 2026-12-07).
    signed_off = ReviewSignOff.objects.filter(reviewer=user).values("case_id")
    return list(
        casework_selectors.cases_visible_to(user)
        .filter(pk__in=signed_off)
        .annotate(reviewed_up_to=Subquery(reviewed_up_to), newest_link=Subquery(newest_link))
        .filter(reviewed_up_to__isnull=False, newest_link__gt=F("reviewed_up_to"))
        .select_related("client")
        .order_by("-newest_link")[:limit]
    )
