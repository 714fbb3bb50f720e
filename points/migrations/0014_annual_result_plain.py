"""AnnualResult back to plain Django (issue 19 §3): the filing is a real foreign key again on PostgreSQL
(the per-statement triggers of 0009 go) and the JSON columns are JSONField (text since 0008)."""

import importlib

from django.db import migrations, models

check_0009 = importlib.import_module("points.migrations.0009_annual_result_filing_check")


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0013_drop_quarter_tally"),
    ]

    operations = [
        migrations.RunPython(check_0009.check_by_row, check_0009.check_by_statement),
        migrations.AlterField(
            model_name="annualresult",
            name="base_items",
            field=models.JSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="annualresult",
            name="line_refs",
            field=models.JSONField(default=list),
        ),
        migrations.AlterField(
            model_name="annualresult",
            name="results",
            field=models.JSONField(default=list),
        ),
    ]
