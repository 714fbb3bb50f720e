"""A filing keeps its results' distinct explanation lines once (AnnualFiling.lines); each result keeps
their positions (AnnualResult.line_refs) instead of a full copy."""

from django.db import migrations, models

BATCH = 2000


def to_refs(apps, schema_editor):
    AnnualFiling = apps.get_model("points", "AnnualFiling")
    AnnualResult = apps.get_model("points", "AnnualResult")
    for filing_id in list(AnnualFiling.objects.values_list("pk", flat=True)):
        lines, positions, results = [], {}, []
        for r in AnnualResult.objects.filter(filing_id=filing_id).only("pk", "lines"):
            refs = []
            for line in r.lines:
                key = tuple(line)
                if key not in positions:
                    positions[key] = len(lines)
                    lines.append(line)
                refs.append(positions[key])
            r.line_refs = refs
            results.append(r)
        AnnualResult.objects.bulk_update(results, ["line_refs"], batch_size=BATCH)
        AnnualFiling.objects.filter(pk=filing_id).update(lines=lines)


def to_lines(apps, schema_editor):
    AnnualFiling = apps.get_model("points", "AnnualFiling")
    AnnualResult = apps.get_model("points", "AnnualResult")
    for filing_id in list(AnnualFiling.objects.values_list("pk", flat=True)):
        lines = AnnualFiling.objects.values_list("lines", flat=True).get(pk=filing_id)
        results = list(AnnualResult.objects.filter(filing_id=filing_id).only("pk", "line_refs"))
        for r in results:
            r.lines = [lines[i] for i in r.line_refs]
        AnnualResult.objects.bulk_update(results, ["lines"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("points", "0005_quarter_tally"),
    ]

    operations = [
        migrations.AddField(
            model_name="annualfiling",
            name="lines",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="annualresult",
            name="line_refs",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(to_refs, to_lines),
        migrations.RemoveField(
            model_name="annualresult",
            name="lines",
        ),
    ]
