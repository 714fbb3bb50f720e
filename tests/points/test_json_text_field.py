"""AnnualResult's JSON columns are kept as the text they were written as (points.models.fields)."""

import pytest
from django import forms
from django.db import connection

from points.models import AnnualResult
from points.models.fields import JSONTextField


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite keeps every JSON value as text")
def test_the_columns_are_text_not_jsonb(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [AnnualResult._meta.db_table],
        )
        types = dict(cursor.fetchall())
    assert [types[name] for name in ("base_items", "results", "line_refs")] == ["text"] * 3


def test_values_go_in_and_come_back_as_given():
    field = JSONTextField()
    value = {"学习": "12", "a": [1, None, True], "z\\t": "x\ty"}
    text = field.get_prep_value(value)
    assert text == '{"学习": "12", "a": [1, null, true], "z\\\\t": "x\\ty"}'  # order kept, not ASCII-escaped
    assert field.from_db_value(text, None, connection) == value
    assert field.get_prep_value(None) is None and field.from_db_value(None, None, connection) is None
    assert field.to_python("[1, 2]") == [1, 2] and field.to_python([3]) == [3]
    with pytest.raises(forms.ValidationError, match="不是有效的 JSON"):
        field.to_python("{not json")
    assert isinstance(field.formfield(), forms.JSONField)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_results_go_through_the_serializers_and_back(cast, fmt):
    from django.core import serializers

    from points.models import AnnualFiling

    filing = AnnualFiling.objects.create(branch=cast.b1, year=2025, scheme={})
    result = AnnualResult.objects.create(
        filing=filing,
        member=cast.member.member,
        category="full",
        base_items={"学习": "12", "dues": "10"},
        results=["excellent_candidate"],
        line_refs=[3517963547529496809, 2],
    )
    text = serializers.serialize(fmt, [result])
    (loaded,) = serializers.deserialize(fmt, text)
    assert (loaded.object.base_items, loaded.object.results, loaded.object.line_refs) == (
        {"学习": "12", "dues": "10"},
        ["excellent_candidate"],
        [3517963547529496809, 2],
    )
