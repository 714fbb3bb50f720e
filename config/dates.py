"""`|date` with the formats this project's templates use written out (the page templates' `|date`,
config/jinja2.py).

Django's filter looks the format up among the localized format names, then interprets it letter by
letter: ~35 µs a date, and a member's year page shows some fifty. The formats below are worked out
directly, with the same output (tests/test_dates.py compares them with Django's); any other format,
or a value that is not a date, goes to Django's filter. It is given datetimes already in the current
time zone (config/jinja2.py's `date` converts them, as Django's engine does for its filter).
"""

import datetime

from django.template import defaultfilters
from django.utils.dates import WEEKDAYS


def _ymd(v) -> str:
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"


def _hi(v) -> str:
    return f"{v.hour:02d}:{v.minute:02d}"


DATE_FORMATS = {
    "Y-m-d": _ymd,
    "n月j日": lambda v: f"{v.month}月{v.day}日",
    "Y年n月j日": lambda v: f"{v.year:04d}年{v.month}月{v.day}日",
    "Y": lambda v: f"{v.year:04d}",
}
DATETIME_FORMATS = {
    **DATE_FORMATS,
    "Y-m-d H:i": lambda v: f"{_ymd(v)} {_hi(v)}",
    "Y-m-d H:i:s": lambda v: f"{_ymd(v)} {_hi(v)}:{v.second:02d}",
    "H:i": _hi,
    "n月j日 H:i": lambda v: f"{v.month}月{v.day}日 {_hi(v)}",
    # A session's time on its cards: the weekday's name in the active language, as Django's "l".
    "Y年n月j日 l H:i": lambda v: f"{v.year:04d}年{v.month}月{v.day}日 {WEEKDAYS[v.weekday()]} {_hi(v)}",
}


def date(value, arg=None):
    kind = type(value)
    if kind is datetime.datetime:
        fast = DATETIME_FORMATS.get(arg)
    elif kind is datetime.date:
        fast = DATE_FORMATS.get(arg)
    else:
        fast = None
    return fast(value) if fast is not None else defaultfilters.date(value, arg)
