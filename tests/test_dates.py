"""|date's written-out formats (config/dates.py) give exactly what Django's filter gives."""

import datetime
import zoneinfo

import pytest
from django.template import defaultfilters, engines
from django.utils import timezone

from config import dates

VALUES = [
    datetime.date(2026, 1, 5),
    datetime.date(999, 12, 31),
    datetime.datetime(2026, 11, 25, 9, 7, 3),
    datetime.datetime(2026, 3, 1, 23, 59, 59),
]


@pytest.mark.parametrize("fmt", sorted(dates.DATETIME_FORMATS))
def test_each_written_out_format_matches_django(fmt):
    for value in VALUES:
        if type(value) is datetime.date and fmt not in dates.DATE_FORMATS:
            continue
        assert dates.date(value, fmt) == defaultfilters.date(value, fmt), (fmt, value)


def test_other_formats_and_values_go_to_django():
    value = datetime.datetime(2026, 11, 25, 9, 7)
    assert dates.date(value, "D, j M Y") == defaultfilters.date(value, "D, j M Y")
    assert dates.date(value) == defaultfilters.date(value)
    for filter_ in (dates.date, defaultfilters.date):  # a time of a date: Django's own refusal
        with pytest.raises(TypeError):
            filter_(datetime.date(2026, 1, 5), "H:i")
    assert dates.date(None, "Y-m-d") == "" and dates.date("", "Y-m-d") == ""


def test_the_weekday_is_named_in_the_active_language():
    from django.utils import translation

    value = datetime.datetime(2026, 11, 25, 19, 0)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert dates.date(value, "Y年n月j日 l H:i") == defaultfilters.date(value, "Y年n月j日 l H:i")
    with translation.override("zh-hans"):
        assert dates.date(value, "Y年n月j日 l H:i") == "2026年11月25日 星期三 19:00"


def test_templates_use_it_with_datetimes_in_the_current_time_zone():
    from config import jinja2

    template = engines["jinja2"].from_string('{{ t|date("Y-m-d H:i") }}|{{ t|date("n月j日 H:i") }}')
    assert template.backend.env.filters["date"] is jinja2.date
    moment = datetime.datetime(2026, 11, 24, 17, 30, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert template.render({"t": moment}) == "2026-11-25 01:30|11月25日 01:30"
    assert template.render({"t": None}) == "|"
