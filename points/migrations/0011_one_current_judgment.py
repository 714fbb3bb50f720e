"""At most one current judgment per member, item and quarter (issue #23).

Two requests entering the same judgment at once could both find no current one and both insert it. A
ledger that already holds such twins is put right first, as entry_add would have: the newest judgment
(highest id) stands and the older ones stop counting (`is_current` False, the one field of a ledger row
the app changes, outside the audit hash). Each is printed, so the committee can check them.
"""

from django.db import migrations, models
from django.db.models import Count, Max


def keep_newest_judgment(apps, schema_editor):
    PointEntry = apps.get_model("points", "PointEntry")
    current = PointEntry._base_manager.filter(entry_type="judgment", is_current=True)
    twins = (
        current.values("quarter_id", "member_id", "kind")
        .annotate(n=Count("id"), newest=Max("id"))
        .filter(n__gt=1)
    )
    for twin in twins:
        older = current.filter(
            quarter_id=twin["quarter_id"], member_id=twin["member_id"], kind=twin["kind"], id__lt=twin["newest"]
        )
        ids = list(older.values_list("id", flat=True))
        older.update(is_current=False)
        print(f"\n  points 0011: judgment entries {ids} superseded by the newer entry {twin['newest']}")


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0010_data_version_by_month"),
    ]

    operations = [
        migrations.RunPython(keep_newest_judgment, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="pointentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("entry_type", "judgment"), ("is_current", True)),
                fields=("quarter", "member", "kind"),
                name="entry_one_current_judgment",
            ),
        ),
    ]
