"""Model fields of the points app."""

import json

from django import forms
from django.db import models


class JSONTextField(models.TextField):
    """A JSON value the database keeps as the text it was given, not as `jsonb`.

    For values that are only ever read back whole, never searched inside by SQL (`AnnualResult`'s
    base items, results and explanation line ids). PostgreSQL parses every `jsonb` value it is given
    into its binary form, numbers into `numeric`; a committee's roll-up writes 30,000 such values in one
    go, and that parsing was a quarter of the database's work for the write (bench/workflow.py: COPY
    of 10,000 results 38 → 20 ms into a table with text columns, the foreign-key checks aside). Reads
    cost the same: Django decodes `jsonb` in Python too. On SQLite a JSONField is text already.
    """

    description = "JSON kept as text"

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise forms.ValidationError("不是有效的 JSON。") from exc
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj):
        # The text, as a TextField's: the XML serializer needs a string; loading parses it (to_python).
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
