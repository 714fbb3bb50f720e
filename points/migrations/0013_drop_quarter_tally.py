"""Drop the closed quarters' tallies (issue 19 §2): the roll-up and every page read the records.

The triggers of 0005 go first: on PostgreSQL their functions name the tally table and would fail every
record write once it is gone. Reversing recreates the table and its triggers (empty: scores are read
from the records whenever no tally covers them)."""

import importlib

from django.db import migrations

tally_0005 = importlib.import_module("points.migrations.0005_quarter_tally")


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0012_declaration_withdrawn"),
    ]

    operations = [
        migrations.RunPython(tally_0005.drop_triggers, tally_0005.create_triggers),
        migrations.DeleteModel(name="QuarterTally"),
    ]
