"""Every page template is Jinja2 (config/jinja2.py): it compiles, and nothing of Django's template
language is left in it that Jinja2 would print as empty instead of refusing."""

import re

import pytest
from django.conf import settings
from django.template import engines

TEMPLATES = sorted(
    p.relative_to(settings.BASE_DIR / "templates").as_posix()
    for p in (settings.BASE_DIR / "templates").rglob("*.html")
)


def test_there_are_page_templates():
    assert len(TEMPLATES) > 60


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_compiles_in_jinja2(name):
    template = engines["jinja2"].get_template(name)
    assert template.name == name


# Django's names that Jinja2 reads as undefined (printing nothing) rather than refusing.
LEFTOVERS = re.compile(r"\bforloop\.|\bblock\.super\b|\.get_\w+_display\b(?!\()")


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_django_template_names_are_left(name):
    source = (settings.BASE_DIR / "templates" / name).read_text()
    assert not LEFTOVERS.findall(source), name
