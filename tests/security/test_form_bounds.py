"""Every text field of every form in the app has a length limit (ASVS 5.1.4: bounded input).

Choices, numbers, dates and booleans are bounded by their type; files by the upload limits in settings.
"""

import importlib
import pkgutil

from django import forms

APPS = ("branches", "members", "points", "study")
BOUNDED_BY_TYPE = (
    forms.ChoiceField,
    forms.ModelChoiceField,
    forms.BooleanField,
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.DateField,
    forms.DateTimeField,
    forms.TimeField,
    forms.FileField,
    forms.UUIDField,
)


def _form_modules():
    for app in APPS:
        for name in (f"{app}.forms", f"{app}.security.forms"):
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError:
                continue
            yield module
            if hasattr(module, "__path__"):
                for info in pkgutil.walk_packages(module.__path__, prefix=f"{name}."):
                    yield importlib.import_module(info.name)


def _forms():
    seen = set()
    for module in _form_modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and value not in seen
            ):
                seen.add(value)
                yield value


def test_it_finds_the_forms():
    assert len(list(_forms())) >= 5


def test_it_bounds_every_text_field():
    unbounded = []
    for form in _forms():
        for name, field in form.base_fields.items():
            if isinstance(field, BOUNDED_BY_TYPE):
                continue
            if isinstance(field, forms.CharField) and field.max_length is None:
                unbounded.append(f"{form.__module__}.{form.__name__}.{name}")
    assert not unbounded, f"text fields without max_length: {unbounded}"
