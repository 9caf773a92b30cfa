# The clients' names folded for accent-insensitive prefix search (casework/search.py).

from django.db import migrations, models

from casework.search import folded

# PostgreSQL only: a LIKE 'prefix%' can use a B-tree only with the pattern operator class
# (the database's collation is not "C"). SQLite reads the rows of the user's scope instead.
INDEXES = {
    "casework_client_family_key_prefix": "family_key",
    "casework_client_given_key_prefix": "given_key",
}


def fold_existing_names(apps, schema_editor):
    Client = apps.get_model("casework", "Client")
    clients = list(Client.objects.only("id", "family_name", "given_name"))
    for client in clients:
        client.family_key, client.given_key = folded(client.family_name), folded(client.given_name)
    Client.objects.bulk_update(clients, ["family_key", "given_key"], batch_size=1000)


def create_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "casework_client" ("{column}" varchar_pattern_ops)'
        )


def drop_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0003_history_indexes_only_as_read"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="family_key",
            field=models.CharField(default="", editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="client",
            name="given_key",
            field=models.CharField(default="", editable=False, max_length=100),
        ),
        migrations.RunPython(fold_existing_names, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_prefix_indexes, drop_prefix_indexes),
    ]
