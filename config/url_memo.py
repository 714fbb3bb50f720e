"""`url()` of the page templates (config/jinja2.py), remembering the URLs it reversed.

Django's `reverse()` costs ~25 µs a link, and a page of sessions or of a member's year has dozens of links
(two per session) besides the dozen of the navigation. The URLs of a running server do not change, so up to
MAX_URLS of them are kept, keyed by everything a URL depends on: the URLconf, the script prefix (the site's
path under the proxy), the view name and the arguments. Only plain arguments (whole numbers and text) are
remembered; a link built from anything else (a model instance, whose text may change) is reversed every
time.
"""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

MAX_URLS = 8192
PLAIN = (int, str, SafeString)  # exact types: a bool is not 1, a str subclass may print differently


@functools.lru_cache(maxsize=MAX_URLS)
def _reversed(urlconf: str, prefix: str, view_name: str, args: tuple, kwargs: tuple) -> str:
    return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs))


@receiver(setting_changed)
def _forget_on_new_urlconf(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


def url(view_name: str, *args, **kwargs) -> str:
    """`{% url %}` of Django's engine as the page templates' `url()`: `reverse(view_name, args=args,
    kwargs=kwargs)`, remembered when every argument is plain."""
    if not all(type(value) in PLAIN for value in (*args, *kwargs.values())):
        return reverse(view_name, args=args, kwargs=kwargs)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(urlconf, get_script_prefix(), view_name, args, tuple(sorted(kwargs.items())))
