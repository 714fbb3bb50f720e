"""Explanation lines stored once (ExplanationLine): each result keeps their ids (AnnualResult.line_refs)
instead of a full copy of every line."""

import hashlib
import json

from django.db import migrations, models

BATCH = 2000


def _digest(line) -> str:  # points.models.workflow.line_digest as of this migration
    return hashlib.sha256(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _id(digest: str) -> int:  # points.models.workflow.line_id as of this migration
    return int(digest[:16], 16) >> 1


def to_refs(apps, schema_editor):
    ExplanationLine = apps.get_model("points", "ExplanationLine")
    AnnualResult = apps.get_model("points", "AnnualResult")
    ids: dict[str, int] = {}
    pks = list(AnnualResult.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        results = list(AnnualResult.objects.filter(pk__in=pks[start : start + BATCH]).only("pk", "lines"))
        for r in results:
            refs = []
            for line in r.lines:
                digest = _digest(line)
                if digest not in ids:
                    ids[digest] = ExplanationLine.objects.create(id=_id(digest), digest=digest, line=line).pk
                refs.append(ids[digest])
            r.line_refs = refs
        AnnualResult.objects.bulk_update(results, ["line_refs"])


def to_lines(apps, schema_editor):
    ExplanationLine = apps.get_model("points", "ExplanationLine")
    AnnualResult = apps.get_model("points", "AnnualResult")
    book = dict(ExplanationLine.objects.values_list("pk", "line"))
    pks = list(AnnualResult.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        results = list(AnnualResult.objects.filter(pk__in=pks[start : start + BATCH]).only("pk", "line_refs"))
        for r in results:
            r.lines = [book[i] for i in r.line_refs]
        AnnualResult.objects.bulk_update(results, ["lines"])


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0005_quarter_tally"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExplanationLine",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("line", models.JSONField()),
            ],
            options={
                "verbose_name": "积分说明",
                "verbose_name_plural": "积分说明",
            },
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
