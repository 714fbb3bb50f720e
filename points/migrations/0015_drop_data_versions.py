"""Drop the score cache's data versions (issue #19): pages score from the records directly, so the triggers
that bumped `points_dataversion` on every write to a scored table go, with their functions, their
sequence and the table. 0004's per-branch triggers were already dropped by 0010. Back: the table and
0010's triggers again (the versions start empty; the triggers add rows as writes come)."""

import importlib

from django.db import migrations

data_versions = importlib.import_module("points.migrations.0010_data_version_by_month")


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0014_annual_result_plain"),
    ]

    operations = [
        # SQLite: DROP TRIGGER IF EXISTS for each; PostgreSQL: DROP FUNCTION … CASCADE (the triggers go
        # with their functions), then the sequence. Any other database never had them (0010 refuses it).
        migrations.RunPython(data_versions.drop_triggers, data_versions.create_triggers),
        migrations.DeleteModel(name="DataVersion"),
    ]
