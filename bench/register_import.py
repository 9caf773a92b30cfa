"""How long a client register import takes: a generated register of N rows (XLSX and CSV, the
columns of the funder's data sheet in Hungarian) read and checked for the preview, then
confirmed (clients, history rows and their audit chain links), then the audit chain verified.
Driven by ``manage.py bench_import``; the issue's bar is 10,000 rows in under a minute."""

from __future__ import annotations

import csv
import io
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openpyxl import Workbook

from casework import register_import
from casework.models import Client, Organisation, OrganisationKind, StaffProfile
from casework.roles import Role

HEADER = (
    "Családi név",
    "Utónév",
    "Születési dátum",
    "Nem",
    "Település",
    "Telefonszám",
    "Munkaerőpiaci státusz",
    "Iskolai végzettség belépéskor",
    "Háztartási helyzet",
    "Célcsoportok",
)
_FAMILY = ("Kovács", "Szabó", "Horváth", "Tóth", "Nagy", "Balogh", "Lakatos", "Oláh")


def register(rows: int) -> list[list[str]]:
    return [
        [
            _FAMILY[i % len(_FAMILY)],
            f"Anna {i:06d}",
            f"{1960 + i % 40}. {1 + i % 12:02d}. {1 + i % 28:02d}.",
            "nő" if i % 2 else "férfi",
            "Ózd",
            f"+36 30 {i:07d}",
            "tartósan munkanélküli",
            "isced_2",
            "other",
            "long_term_unemployed; young_person",
        ]
        for i in range(rows)
    ]


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def importer():
    organisation = Organisation.objects.create(
        name=f"Bench import {time.time_ns()}", kind=OrganisationKind.MUNICIPALITY, settlement="Ózd"
    )
    user = get_user_model().objects.create_user(f"bench-import-{time.time_ns()}")
    user.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    StaffProfile.objects.create(user=user, organisation=organisation, language="hu")
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions


def run(*, rows: int, kind: str, log=print) -> dict:
    """One import of ``rows`` rows from a ``kind`` ("xlsx" or "csv") file, timed by step."""
    content = (as_xlsx if kind == "xlsx" else as_csv)(register(rows))
    user = importer()
    started = time.monotonic()
    staged = register_import.client_import_stage(
        user=user, file_name=f"register.{kind}", content=content
    )
    staged_at = time.monotonic()
    assert not staged.problems and not staged.duplicates, staged.problems[:3]
    imported = register_import.client_import_confirm(user=user, import_id=staged.pk)
    done = time.monotonic()
    assert imported == rows == Client.objects.filter(organisation=staged.organisation_id).count()
    result = {
        "rows": rows,
        "kind": kind,
        "bytes": len(content),
        "preview_s": round(staged_at - started, 2),
        "confirm_s": round(done - staged_at, 2),
        "total_s": round(done - started, 2),
    }
    log(
        f"{kind}: {rows:,} rows ({len(content) / 1024:.0f} KiB): preview {result['preview_s']} s, "
        f"confirm {result['confirm_s']} s, total {result['total_s']} s"
    )
    return result
