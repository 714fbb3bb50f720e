"""Widgets are rendered by Jinja2 (settings.FORM_RENDERER) with Django's own widget templates: the
markup is the same as through Django's template engine, which is only slower. Templates only Django's
engine has (the admin's widget wrappers) still render."""

import re

import pytest
from django.contrib import admin
from django.forms.renderers import DjangoTemplates, Jinja2, get_default_renderer
from django.test import Client
from django.urls import reverse

from config.form_renderer import FormRenderer
from points.forms.workflow.review import BonusEntryForm, DeductionEntryForm, JudgmentEntryForm
from points.scoring import GUIDELINE_SCHEME


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_widgets_render_through_jinja2():
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer) and isinstance(renderer, Jinja2)


def test_the_review_forms_render_the_same_markup_either_way():
    for form_class in (DeductionEntryForm, BonusEntryForm, JudgmentEntryForm):
        for data in (None, {}):  # unbound, and bound with its errors
            jinja = form_class(data, scheme=GUIDELINE_SCHEME, renderer=Jinja2())
            django = form_class(data, scheme=GUIDELINE_SCHEME, renderer=DjangoTemplates())
            for a, b in zip(jinja, django, strict=True):
                assert _normalized(str(a)) == _normalized(str(b)), (form_class.__name__, a.name)
                assert "<select" in str(a) or "<input" in str(a) or "<textarea" in str(a)


@pytest.mark.parametrize(
    "model", sorted(admin.site._registry, key=lambda m: m._meta.label), ids=lambda m: m._meta.label
)
def test_every_admin_add_page_renders_its_widgets(db, model):
    """The admin's related-object wrappers, raw-id and date widgets have no Jinja2 templates."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("root", "root@example.cn", "x-Long-pass-123")
    client = Client(raise_request_exception=True)
    client.force_login(user)
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    assert response.status_code in (200, 403)  # 403: a model the admin shows but never adds
    if response.status_code == 200:
        assert b"<form" in response.content
