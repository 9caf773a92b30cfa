"""An index on Viewflow's task table for "tasks waiting in a queue": Viewflow's queue and its menu
counter, and the supervisor's home page, ask for NEW tasks whose ``owner_permission`` is one of
the user's (the per-organisation plan approval permission). With Viewflow's separate ``status``
index the queue read every unclaimed task of the programme, or every case of the organisation
with its process and tasks (about 6 ms at 2,000 cases); by (status, owner_permission) it reads
the organisation's waiting approvals only (BENCHMARKS.md, P2).

Like ``0002_task_inbox_index``, added through the schema editor: ``viewflow_task`` belongs to
Viewflow's app.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["status", "owner_permission", "created"], name="workflows_task_queue")


def add_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("viewflow", "Task"), INDEX)


def remove_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("viewflow", "Task"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0004_stable_list_order")]

    operations = [migrations.RunPython(add_index, remove_index)]
