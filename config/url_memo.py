"""`{% url %}` that remembers what it reversed (loaded as a template builtin: settings.TEMPLATES).

Django's tag reverses afresh every time: ~25 µs per link, and a page of sessions or of a member's year
has dozens of links (two per session) besides the dozen of the navigation. The URLs of a running server
do not change, so the tag keeps up to MAX_URLS of them, keyed by everything a URL depends on: the URLconf,
the script prefix (the site's path under the proxy), the view name, the arguments and the current
application namespace. Only plain arguments (whole numbers and text, literal or not) are remembered; a link built from
anything else (a model instance, whose text may change) is reversed every time, as Django does.
"""

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()

MAX_URLS = 8192
PLAIN = (int, str, SafeString)  # exact types: a bool is not 1, a str subclass may print differently


@functools.lru_cache(maxsize=MAX_URLS)
def _reversed(urlconf: str, prefix: str, view_name: str, args: tuple, kwargs: tuple, current_app) -> str:
    return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget_on_new_urlconf(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


class RememberingURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        if not all(type(value) in PLAIN for value in (*args, *(v for _, v in kwargs))):
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:  # as Django's tag
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = _reversed(
                get_urlconf() or settings.ROOT_URLCONF,
                get_script_prefix(),
                view_name,
                args,
                kwargs,
                current_app,
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    node.__class__ = RememberingURLNode
    return node
