"""Widgets are rendered by Jinja2 (settings.FORM_RENDERER) with Django's own widget templates: the
markup is the same as through Django's template engine, which is only slower."""

import re

from django.forms.renderers import DjangoTemplates, Jinja2, get_default_renderer

from points.forms.workflow.review import BonusEntryForm, DeductionEntryForm, JudgmentEntryForm
from points.scoring import GUIDELINE_SCHEME


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_widgets_render_through_jinja2():
    assert isinstance(get_default_renderer(), Jinja2)


def test_the_review_forms_render_the_same_markup_either_way():
    for form_class in (DeductionEntryForm, BonusEntryForm, JudgmentEntryForm):
        for data in (None, {}):  # unbound, and bound with its errors
            jinja = form_class(data, scheme=GUIDELINE_SCHEME, renderer=Jinja2())
            django = form_class(data, scheme=GUIDELINE_SCHEME, renderer=DjangoTemplates())
            for a, b in zip(jinja, django, strict=True):
                assert _normalized(str(a)) == _normalized(str(b)), (form_class.__name__, a.name)
                assert "<select" in str(a) or "<input" in str(a) or "<textarea" in str(a)
