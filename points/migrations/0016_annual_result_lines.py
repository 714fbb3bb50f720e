"""Each result keeps its own explanation lines again (issue 19 §3): `AnnualResult.lines` gets a copy of
every line its `line_refs` pointed at, and the lines stored once (`ExplanationLine`, 0006) go. Back: the
distinct lines are stored once again under the ids 0006 gave them, and each result gets their ids."""

import hashlib
import json

import points.models.workflow
from django.db import migrations, models

BATCH = 1000  # results read and written at a time
CHUNK = 500  # ids or digests per lookup (SQLite's limit on query parameters)


def _digest(line) -> str:  # points.models.workflow.line_digest as of 0006–0015
    return hashlib.sha256(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _id(digest: str) -> int:  # points.models.workflow.line_id as of 0006–0015
    return int(digest[:16], 16) >> 1


def _batches(AnnualResult, *fields):
    pks = list(AnnualResult.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        yield list(AnnualResult.objects.filter(pk__in=pks[start : start + BATCH]).only("pk", *fields))


def to_lines(apps, schema_editor):
    ExplanationLine = apps.get_model("points", "ExplanationLine")
    AnnualResult = apps.get_model("points", "AnnualResult")
    for results in _batches(AnnualResult, "line_refs"):
        ids = sorted({i for r in results for i in r.line_refs})
        book = {}
        for start in range(0, len(ids), CHUNK):
            book.update(
                ExplanationLine.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", "line")
            )
        for r in results:
            r.lines = [book[i] for i in r.line_refs]  # a missing line stops the migration (KeyError)
        AnnualResult.objects.bulk_update(results, ["lines"])


def to_refs(apps, schema_editor):
    ExplanationLine = apps.get_model("points", "ExplanationLine")
    AnnualResult = apps.get_model("points", "AnnualResult")
    stored: set[int] = set()
    for results in _batches(AnnualResult, "lines"):
        new = {}
        for r in results:
            r.line_refs = []
            for line in r.lines:
                digest = _digest(line)
                i = _id(digest)
                r.line_refs.append(i)
                if i not in stored:
                    new[i] = ExplanationLine(id=i, digest=digest, line=line)
        ExplanationLine.objects.bulk_create(new.values(), batch_size=CHUNK)
        stored.update(new)
        AnnualResult.objects.bulk_update(results, ["line_refs"])


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0015_drop_data_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="annualresult",
            name="lines",
            field=models.JSONField(default=list, encoder=points.models.workflow.PlainTextJSONEncoder),
        ),
        migrations.RunPython(to_lines, to_refs),
        migrations.RemoveField(
            model_name="annualresult",
            name="line_refs",
        ),
        migrations.DeleteModel(
            name="ExplanationLine",
        ),
    ]
