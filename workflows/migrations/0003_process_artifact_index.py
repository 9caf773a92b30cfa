"""An index on Viewflow's process table by case: every list scoped to the user's cases filters
tasks with ``process__artifact_object_id__in=<visible cases>`` (home pages, Viewflow's inbox,
queue and archive, the deadlines), and Viewflow's own index leads with the content type, which
those filters do not name. At 100,000 cases a supervisor's open tasks went from a scan of every
process (55 ms) to one index probe per case of the organisation (14 ms) (BENCHMARKS.md, P2).

Added through the schema editor, as in 0002: ``viewflow_process`` belongs to Viewflow's app.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["artifact_object_id"], name="workflows_process_artifact")


def add_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("viewflow", "Process"), INDEX)


def remove_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("viewflow", "Process"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_task_inbox_index")]

    operations = [migrations.RunPython(add_index, remove_index)]
