"""AnnualResult.filing without an index of its own: the unique (filing, member) index leads with it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0006_explanation_lines"),
    ]

    operations = [
        migrations.AlterField(
            model_name="annualresult",
            name="filing",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="points.annualfiling",
            ),
        ),
    ]
