"""An index on Viewflow's task table for "my open tasks, in order": the home page's task list
(owner, ASSIGNED, by ``created``), Viewflow's inbox (owner, ASSIGNED, by ``-created``) and the
mentor's deadlines (owner, open statuses). Viewflow indexes ``owner`` and ``status`` only
separately, so at programme scale the inbox read every task a mentor ever had and sorted them
(BENCHMARKS.md, P2).

``viewflow_task`` belongs to Viewflow's app, whose models Lépés does not declare, so the index is
added here through the schema editor and is not part of any model state.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["owner", "status", "created"], name="workflows_task_inbox")


def add_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("viewflow", "Task"), INDEX)


def remove_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("viewflow", "Task"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(add_index, remove_index)]
