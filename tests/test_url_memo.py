"""The page templates' `url()` remembers the URLs it reversed (config/url_memo.py) and gives what Django's
`reverse()` gives."""

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from config import url_memo


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


@pytest.fixture(autouse=True)
def _fresh():
    url_memo._reversed.cache_clear()
    yield
    url_memo._reversed.cache_clear()
    set_script_prefix("/")


def test_it_gives_the_urls_django_gives_and_reverses_each_once():
    assert _render("{{ url('points:sessions', pk) }}", pk=7) == reverse("points:sessions", args=[7])
    assert _render("{{ url('points:sessions', pk=pk) }}", pk=8) == reverse("points:sessions", args=[8])
    assert _render("{{ url('points:attendance', 9) }}{{ url('points:attendance', 9) }}") == (
        reverse("points:attendance", args=[9]) * 2
    )
    assert url_memo._reversed.cache_info().hits == 1
    _render("{{ url('points:entry_add', 1, 2, 'bonus') }}{{ url('points:entry_add', 1, 2, 'bonus') }}")
    assert url_memo._reversed.cache_info().hits == 2  # text arguments are remembered too


def test_a_wrong_link_fails_as_with_django():
    with pytest.raises(NoReverseMatch):
        _render("{{ url('points:sessions') }}")
    assert url_memo._reversed.cache_info().currsize == 0


def test_links_under_another_script_prefix_are_not_confused():
    plain = _render("{{ url('points:sessions', 7) }}")
    set_script_prefix("/jifen/")
    assert _render("{{ url('points:sessions', 7) }}") == "/jifen" + plain


def test_arguments_that_are_not_plain_values_are_reversed_every_time():
    class Code:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    code = Code("7")
    assert _render("{{ url('points:sessions', c) }}", c=code) == reverse("points:sessions", args=[7])
    code.text = "8"  # the same object reads differently now: not remembered under its identity
    assert _render("{{ url('points:sessions', c) }}", c=code) == reverse("points:sessions", args=[8])
    assert url_memo._reversed.cache_info().currsize == 0


def test_a_new_urlconf_forgets_what_was_remembered():
    _render("{{ url('points:sessions', 7) }}")
    with override_settings(ROOT_URLCONF="bench.load_urls"):
        assert url_memo._reversed.cache_info().currsize == 0
        assert _render("{{ url('bench_minimal') }}") == "/bench/minimal/"


def test_it_keeps_a_bounded_number_of_urls():
    assert url_memo._reversed.cache_info().maxsize == url_memo.MAX_URLS == 8192
