"""`get_FOO_display()` from a table of labels kept per field (the models' `ChoiceLabels` base).

Django builds the field's table of labels afresh on every call (`dict(make_hashable(field.flatchoices))`):
3.7 µs a label, and a member's year page shows some three hundred (每条记录的出勤、类型、状态). The table is
kept on the field the first time; a label that is a lazy translation stays lazy in it and is translated
when shown, as Django's is.
"""

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _labels(field) -> dict:
    labels = field.__dict__.get("_choice_labels")
    if labels is None:
        labels = field.__dict__["_choice_labels"] = dict(make_hashable(field.flatchoices))
    return labels


class ChoiceLabels(models.Model):
    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):  # noqa: N802 — Django's name
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
