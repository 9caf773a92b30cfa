"""A client whose file carries identifiers and free texts in every place a user can type them,
and a search of the raw database (every table, every text column, history tables included)."""

from __future__ import annotations

import datetime
import json

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from audit import services as audit_services
from audit.access import record_access
from casework import services
from casework.journey import Stage
from casework.models import Case, Client, Programme
from privacy import services as privacy_services

from ..conftest import new_client
from ..journey import TODAY, approve_plan, complete_intake, to_stage

FAMILY, GIVEN = "Zsebeházi", "Orsolyka"
PHONE, SETTLEMENT, BIRTH_YEAR = "+36 30 987 6543", "Sajókaza", 1961
FREE_TEXTS = (
    "Kenyérsütő tanfolyam Q7",  # plan summary
    "Pékségi állás Kp3",  # goal
    "Kórházban van W9",  # suspension reason (a change reason)
    "Munkaügyi kérdőív Zr4",  # referral purpose
    "Két ajánlat Yt2",  # referral answer
    "Rendben, átnézve Vb6",  # supervisor's review note
    "Elköltözött Miskolcra Hn1",  # closure reason
    "Hallássérült, jelnyelv Gd8",  # special category: disability details
)
IDENTIFIERS = (FAMILY, GIVEN, PHONE, SETTLEMENT, *FREE_TEXTS)


def planted_case(world) -> Case:
    """A closed case whose client's identifiers and free texts are planted through the
    services: client data edited, a plan with a goal, a suspension with a reason, a referral
    answered, a review note, a closure reason, a break-glass access and an erasure request
    naming the client."""
    client = new_client(
        world,
        family_name=FAMILY,
        given_name=GIVEN,
        phone="+36 1 000",
        settlement=SETTLEMENT,
        birth_year=BIRTH_YEAR,
    )
    services.client_update(user=world.worker, client_id=client.pk, data={"phone": PHONE})
    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    record_access(user=world.worker, client=client, case=case, what="case_page")
    complete_intake(case, world)
    # Signed today: the client becomes a participant, and their ESF+ entry record (with the
    # settlement) is taken.
    services.plan_save(
        user=world.mentor, case_id=case.pk, summary=FREE_TEXTS[0], client_agreed_on=TODAY
    )
    # Special-category data lives in privacy's own table: it must go with the client too.
    privacy_services.special_category_record(
        user=world.worker, case=case, category="disability", answer="yes", note=FREE_TEXTS[7]
    )
    services.goal_add(
        user=world.mentor, case_id=case.pk, area="employment", description=FREE_TEXTS[1]
    )
    approve_plan(case, world)
    services.case_suspend(user=world.worker, case_id=case.pk, reason=FREE_TEXTS[2])
    services.case_resume(user=world.supervisor, case_id=case.pk)
    referral = services.referral_create(
        user=world.worker, case_id=case.pk, partner_id=world.labour_office.pk, purpose=FREE_TEXTS[3]
    )
    services.referral_record_answer(
        user=world.worker, referral_id=referral.pk, answer=FREE_TEXTS[4], answered_on=TODAY
    )
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome="moved_away", reason=FREE_TEXTS[6]
    )
    audit_services.review_sign_off(user=world.supervisor, case_id=case.pk, note=FREE_TEXTS[5])
    services.case_break_glass(
        user=world.other_worker, number=case.number, reason=f"{FAMILY} {GIVEN} phoned in crisis"
    )
    # A change made through the admin site names the client in the admin's own log.
    LogEntry.objects.create(
        user=world.supervisor,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(client.pk),
        object_repr=str(client),
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["{PHONE}"]}}}}]',
    )
    case.refresh_from_db()
    return case


def end_programme(programme: Programme, *, ended: datetime.date, retention_years: int) -> None:
    """Set-up, not casework: the programme ended on ``ended`` and is held that many years."""
    Programme.objects.filter(pk=programme.pk).update(
        starts_on=datetime.date(ended.year - 3, 1, 1),
        ends_on=ended,
        retention_years=retention_years,
    )
    programme.refresh_from_db()


def _text(value) -> str | None:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "ignore")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else None


def raw_hits(needles) -> list[tuple[str, str, str]]:
    """``(table, column, needle)`` for every text value, in every table of the database, that
    contains one of ``needles`` (case aside)."""
    hits = []
    folded = [needle.casefold() for needle in needles]
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = _text(value)
                    if not text:
                        continue
                    text = text.casefold()
                    hits += [(table, column, n) for n in folded if n in text]
    return hits


def tables_searched() -> int:
    return len(connection.introspection.table_names())


def birth_values(client_id: int) -> set:
    """Every value of a column named like a birth datum, in the client's live and history
    rows."""
    values = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            description = connection.introspection.get_table_description(cursor, table)
            names = [column.name for column in description]
            birth = [name for name in names if "birth" in name]
            if not birth or "family_name" not in names:
                continue
            cursor.execute(
                f"SELECT {', '.join(birth)} FROM {connection.ops.quote_name(table)} WHERE id = %s",
                [client_id],
            )
            for row in cursor.fetchall():
                values |= set(row)
    return values


__all__ = ["Stage", "to_stage"]
