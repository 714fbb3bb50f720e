"""The models' get_FOO_display() (config/choices.py) reads as Django's, from a table kept per field."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from config.choices import ChoiceLabels
from points.models import Attendance, AttendanceStatus


def _choice_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.choices and issubclass(model, ChoiceLabels):
                yield model, field


def test_every_project_model_with_choices_has_the_kept_labels():
    project = [
        m
        for m in apps.get_models()
        if m.__module__.split(".")[0] in {"points", "members", "branches", "study"}
    ]
    with_choices = [m for m in project if any(f.choices for f in m._meta.concrete_fields)]
    assert with_choices and all(issubclass(m, ChoiceLabels) for m in with_choices)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_value_reads_as_djangos_own(language):
    fields = list(_choice_fields())
    assert len(fields) > 20
    with translation.override(language):
        for model, field in fields:
            for value in [*(v for v, _ in field.flatchoices), "no-such-value", None]:
                obj = model(**{field.attname: value})
                shown = getattr(obj, f"get_{field.name}_display")()
                assert shown == models.Model._get_FIELD_display(obj, field), (model, field.name, value)


def test_the_table_is_built_once_per_field():
    field = Attendance._meta.get_field("status")
    field.__dict__.pop("_choice_labels", None)
    assert Attendance(status=AttendanceStatus.LATE).get_status_display() == AttendanceStatus.LATE.label
    table = field.__dict__["_choice_labels"]
    assert Attendance(status=AttendanceStatus.ABSENT).get_status_display() == AttendanceStatus.ABSENT.label
    assert field.__dict__["_choice_labels"] is table
