"""Jinja2, the engine of this project's pages (settings.TEMPLATES; Django's own engine is left to the admin).

Django's engine resolves every `{{ a.b.c }}` by trying a dictionary key, an attribute and a list index in
turn, catching an exception at each miss, and calls whatever callable it meets: some 5 µs an output, and a
member's year page prints several hundred. Jinja2 compiles a template to Python: the review list's 60 rows
took 2.0 ms in Django's engine and 0.55 ms here, the same markup.

What Django's engine did implicitly is kept here, so a page prints what it printed before:
- values are printed as Django prints them (`_finalize`): dates, times and numbers localized, datetimes in
  the current time zone, `None` as "None";
- the filters the templates use are Django's own (`date`, `floatformat`, `default`, ...), with `|date`'s
  fast formats (config/dates.py) and `|who` (members: who did something);
- `url()` remembers what it reversed, as `{% url %}` did (config/url_memo.py), `static()` and `now_as()` are
  Django's, `csrf_input` and the context processors come from Django's backend (settings.TEMPLATES);
- an undefined name, or an attribute of one, prints nothing (ChainableUndefined), as in Django.

Unlike Django's engine, Jinja2 calls nothing by itself: a template writes `x.get_status_display()`. A
template that prints a method without calling it is a mistake, refused with an error (`_finalize`) rather
than printed as "<bound method ...>".
"""

from __future__ import annotations

import datetime
import decimal

import jinja2
from django.conf import settings
from django.template import TemplateSyntaxError, defaultfilters
from django.template.backends import jinja2 as django_jinja2
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.utils import formats, timezone
from django.utils.safestring import SafeString

from config import dates, url_memo
from members.display import who

LOCALIZED = (datetime.date, datetime.time, decimal.Decimal, float)


def _finalize(value):
    """What Django's engine does to a value it prints (render_value_in_context): localize numbers and
    dates, datetimes in the current time zone."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is int:
        return str(value) if not settings.USE_THOUSAND_SEPARATOR else formats.localize(value)
    if isinstance(value, LOCALIZED):
        return formats.localize(timezone.template_localtime(value))
    if callable(value) and not isinstance(value, (type, jinja2.Undefined)) and not hasattr(value, "__html__"):
        raise TypeError(f"a template printed {value!r} without calling it: write ()")
    return value


def date(value, arg=None):
    """Django's `|date` (config/dates.py's fast formats), given datetimes in the current time zone as
    Django's engine gives its filter (expects_localtime)."""
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        return ""
    return dates.date(timezone.template_localtime(value), arg)


def linebreaksbr(value):
    return defaultfilters.linebreaksbr(value, autoescape=True)


def now_as(format_string: str) -> str:
    """`{% now %}`: the current time in the current time zone, formatted as `|date` does."""
    return date(timezone.now(), format_string)


FILTERS = {
    "add": defaultfilters.add,
    "date": date,
    "default": defaultfilters.default,  # Django's: any false value, not only an undefined one
    "default_if_none": defaultfilters.default_if_none,
    "floatformat": defaultfilters.floatformat,
    "length": defaultfilters.length,  # Django's: 0 for None
    "linebreaksbr": linebreaksbr,
    "truncatechars": defaultfilters.truncatechars,
    "urlencode": defaultfilters.urlencode,
    "who": who,
}


def environment(**options) -> jinja2.Environment:
    # Django's backend asks for DebugUndefined under DEBUG (printing "{{ name }}"): pages read the same
    # whatever DEBUG says.
    options["undefined"] = jinja2.ChainableUndefined
    options.pop("autoescape", None)
    env = jinja2.Environment(
        **options,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,  # as Django's engine
    )
    env.filters.update(FILTERS)
    env.globals.update(url=url_memo.url, static=static, now_as=now_as)
    return env


class Template(django_jinja2.Template):
    """Django's Jinja2 template, rendering as Django's engine does: the view's names win over the context
    processors' (Django's Jinja2 backend lets the processors overwrite them), the markup comes out marked
    safe (a page embeds markup rendered apart, `render_to_string`, as it is), and the rendering is
    announced, so the test client's `response.context` and assertTemplateUsed see it (nothing listens in
    production, where it costs a look at an empty list of receivers). Included templates are not
    announced: Jinja2 includes them itself."""

    @property
    def name(self) -> str:
        return self.template.name

    def render(self, context=None, request=None):
        full = {}
        if request is not None:
            full = {
                "request": request,
                "csrf_input": csrf_input_lazy(request),
                "csrf_token": csrf_token_lazy(request),
            }
            for processor in self.backend.template_context_processors:
                full.update(processor(request))
        full.update(context or {})
        try:
            html = self.template.render(full)
        except jinja2.TemplateSyntaxError as exc:  # as Django's backend reports it
            new = TemplateSyntaxError(exc.args)
            new.template_debug = django_jinja2.get_exception_info(exc)
            raise new from exc
        if template_rendered.receivers:
            template_rendered.send(sender=self, template=self, context=full)
        return SafeString(html)


class Jinja2(django_jinja2.Jinja2):
    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)

    def get_template(self, template_name):
        template = super().get_template(template_name)
        return Template(template.template, self)
