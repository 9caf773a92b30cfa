"""Special-category data leaves the client file for ``privacy.SpecialCategoryRecord``.

Each client's ``belongs_to_minority`` becomes an ethnicity record and ``has_disability`` a
disability record (yes or no; an empty value stays unrecorded). The target groups that reveal a
special category leave ``target_groups``: "disability" becomes a disability record answered yes,
"ex_offender" a criminal-record record answered yes. The records carry no ``recorded_by``: the
client file did not say who recorded the values.

No history row is written here (as in privacy 0002): a history row written by a migration is
in no audit chain and ``verify_audit`` would report it as inserted.

The two columns also leave the client's history table. Their values there were committed in
the audit chain (salted), so each link's salt is first replaced by the commitment it made
(as an erasure does): the chain keeps verifying without the column, and the values are gone.
"""

import hashlib
import json

from django.db import migrations


DROPPED = ("belongs_to_minority", "has_disability")
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _commitment(salt: str, value) -> str:
    # audit.chain.commitment of a boolean (or empty) value, as of this migration.
    return hashlib.sha256(bytes.fromhex(salt) + _ENCODER.encode(value).encode()).hexdigest()


def seal_dropped_columns(apps, schema_editor):
    ChainLink = apps.get_model("audit", "ChainLink")
    History = apps.get_model("casework", "HistoricalClient")
    links = ChainLink.objects.filter(model="casework.client").order_by("pk")
    for link in links.iterator(chunk_size=2000):
        pending = [name for name in DROPPED if isinstance(link.salts.get(name), str)]
        if not pending:
            continue
        row = History.objects.filter(history_id=link.history_id).values(*DROPPED).first()
        if row is None:  # a deleted row: verify_audit reports it either way
            continue
        salts = dict(link.salts)
        for name in pending:
            salts[name] = {"c": _commitment(salts[name], row[name])}
        ChainLink.objects.filter(pk=link.pk).update(salts=salts)


SPECIAL_TARGET_GROUPS = {"disability": "disability", "ex_offender": "criminal_record"}


def forwards(apps, schema_editor):
    Client = apps.get_model("casework", "Client")
    Record = apps.get_model("privacy", "SpecialCategoryRecord")
    records = []
    for client in Client.objects.order_by("pk").iterator(chunk_size=2000):
        answers = {}
        if client.belongs_to_minority is not None:
            answers["ethnicity"] = "yes" if client.belongs_to_minority else "no"
        if client.has_disability is not None:
            answers["disability"] = "yes" if client.has_disability else "no"
        groups = list(client.target_groups or [])
        for group, category in SPECIAL_TARGET_GROUPS.items():
            if group in groups:
                # The ticked target group is an explicit statement: it wins over a "no".
                answers[category] = "yes"
        kept = [group for group in groups if group not in SPECIAL_TARGET_GROUPS]
        if kept != groups:
            client.target_groups = kept
            client.save(update_fields=["target_groups"])
        records.extend(
            Record(
                client_id=client.pk,
                category=category,
                answer=answer,
                recorded_at=client.created_at,
            )
            for category, answer in answers.items()
        )
    Record.objects.bulk_create(records, batch_size=2000)


def backwards(apps, schema_editor):
    Client = apps.get_model("casework", "Client")
    Record = apps.get_model("privacy", "SpecialCategoryRecord")
    by_client: dict[int, dict[str, str]] = {}
    for client_id, category, answer in Record.objects.values_list(
        "client_id", "category", "answer"
    ):
        by_client.setdefault(client_id, {})[category] = answer
    for client in Client.objects.filter(pk__in=by_client):
        answers = by_client[client.pk]
        values = {"yes": True, "no": False}
        client.belongs_to_minority = values.get(answers.get("ethnicity"))
        client.has_disability = values.get(answers.get("disability"))
        groups = list(client.target_groups or [])
        if answers.get("disability") == "yes" and "disability" not in groups:
            groups.append("disability")
        if answers.get("criminal_record") == "yes" and "ex_offender" not in groups:
            groups.append("ex_offender")
        client.target_groups = groups
        client.save(update_fields=["belongs_to_minority", "has_disability", "target_groups"])


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0004_client_search_keys'),
        ('privacy', '0003_special_category_records'),
        ('audit', '0003_link_indexes_not_repeated'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(seal_dropped_columns, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name='case',
            options={'ordering': ['-stage_changed_at', '-id'], 'permissions': [('assign_mentor', 'Can assign a mentor to a case'), ('complete_intake', 'Can complete the intake of a case'), ('advance_case', 'Can move a case to its next stage'), ('suspend_case', 'Can suspend and resume a case'), ('close_case', 'Can close a case early'), ('reopen_case', 'Can reopen a closed case'), ('record_casework', 'Can record sessions, screenings, placements and follow-ups')], 'verbose_name': 'case', 'verbose_name_plural': 'cases'},
        ),
        migrations.RemoveField(
            model_name='client',
            name='belongs_to_minority',
        ),
        migrations.RemoveField(
            model_name='client',
            name='has_disability',
        ),
        migrations.RemoveField(
            model_name='historicalclient',
            name='belongs_to_minority',
        ),
        migrations.RemoveField(
            model_name='historicalclient',
            name='has_disability',
        ),
    ]
