"""Every page template compiles in Django's template engine (the project's one engine)."""

import pytest
from django.conf import settings
from django.template.loader import get_template

TEMPLATES = sorted(
    p.relative_to(settings.BASE_DIR / "templates").as_posix()
    for p in (settings.BASE_DIR / "templates").rglob("*.html")
)


def test_there_are_page_templates():
    assert len(TEMPLATES) > 60


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_compiles(name):
    assert get_template(name).template.name == name
