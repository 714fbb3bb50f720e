"""The page templates' engine (config/jinja2.py) prints what Django's engine printed."""

import datetime
import decimal
import zoneinfo

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

VALUES = [
    "text",
    "<b>&'\"</b>",
    mark_safe("<b>safe</b>"),
    0,
    12345,
    -7,
    True,
    None,
    decimal.Decimal("97.5"),
    decimal.Decimal("100"),
    decimal.Decimal("1E+1"),
    2.5,
    datetime.date(2026, 11, 25),
    datetime.time(9, 5),
    datetime.datetime(2026, 11, 24, 17, 30, tzinfo=datetime.UTC),
    [1, 2],
]


def _both(source_django: str, source_jinja: str, **context) -> tuple[str, str]:
    return (
        engines["django"].from_string(source_django).render(context),
        engines["jinja2"].from_string(source_jinja).render(context),
    )


def _unescaped(html: str) -> str:
    """The two engines write ' and " as different entities (&#x27; and &#39;); a browser reads both alike."""
    return html.replace("&#x27;", "'").replace("&#39;", "'").replace("&quot;", '"').replace("&#34;", '"')


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_printed_value_reads_as_django_printed_it(value, language):
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        django, jinja = _both("{{ v }}", "{{ v }}", v=value)
    assert _unescaped(jinja) == _unescaped(django)


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_numbers_follow_the_thousand_separator_setting():
    with translation.override("en"):
        django, jinja = _both("{{ v }}|{{ d }}", "{{ v }}|{{ d }}", v=1234567, d=decimal.Decimal("1234.5"))
    assert jinja == django == "1,234,567|1,234.5"


@pytest.mark.parametrize(
    ("django_filter", "jinja_filter", "value"),
    [
        (
            'date:"Y-m-d H:i"',
            'date("Y-m-d H:i")',
            datetime.datetime(2026, 3, 31, 16, 30, tzinfo=datetime.UTC),
        ),
        ('date:"D, j M Y"', 'date("D, j M Y")', datetime.date(2026, 1, 5)),
        ('floatformat:"-1"', 'floatformat("-1")', decimal.Decimal("97.50")),
        ("floatformat:2", "floatformat(2)", 3.14159),
        ('default:"—"', 'default("—")', ""),
        ('default:"—"', 'default("—")', 0),
        ('default_if_none:"无"', 'default_if_none("无")', None),
        ("add:-1", "add(-1)", 2026),
        ("linebreaksbr", "linebreaksbr", "a<b>\nc"),
        ("truncatechars:5", "truncatechars(5)", "一二三四五六七"),
        ("urlencode", "urlencode", "a b&c/d"),
        ("length", "length", [1, 2, 3]),
    ],
)
def test_the_filters_are_djangos(django_filter, jinja_filter, value):
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        django, jinja = _both(f"{{{{ v|{django_filter} }}}}", f"{{{{ v|{jinja_filter} }}}}", v=value)
    assert _unescaped(jinja) == _unescaped(django)


def test_a_method_printed_without_calling_it_is_refused():
    class Row:
        def label(self):
            return "x"

    template = engines["jinja2"].from_string("{{ row.label }}")
    with pytest.raises(TypeError, match="without calling it"):
        template.render({"row": Row()})
    assert engines["jinja2"].from_string("{{ row.label() }}").render({"row": Row()}) == "x"


def test_an_undefined_name_or_its_attributes_print_nothing():
    template = engines["jinja2"].from_string(
        "[{{ missing }}|{{ missing.a.b }}|{{ none.a }}]{% if missing.a %}x{% endif %}"
    )
    assert template.render({"none": None}) == "[||]"


def test_markup_rendered_apart_is_embedded_as_it_is():
    html = render_to_string("points/workflow/_lines.html", {"lines": [("base", "", "一", "项", 5, "因")]})
    assert type(html) is SafeString
    page = engines["jinja2"].from_string("{{ part }}").render({"part": html})
    assert page == html and "<li" in page


def test_the_test_client_sees_what_a_page_was_rendered_with(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="x-Long-Pass-123")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["branches/home.html"]
    assert response.context["this_year"] == timezone.localdate().year
    assert response.context["user"] == user  # the context processors' too
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_the_views_names_win_over_the_context_processors(rf, django_user_model):
    request = rf.get("/")
    request.user = django_user_model.objects.create_user("viewer2", password="x-Long-Pass-123")
    template = engines["jinja2"].from_string("{{ actor }}|{{ user.username }}|{{ request.path }}")
    assert template.render({"actor": "the view"}, request) == "the view|viewer2|/"


def test_date_and_length_of_nothing_print_as_in_django():
    template = engines["jinja2"].from_string(
        '[{{ none.at|date("Y-m-d") }}|{{ missing|length }}|{{ none|length }}]'
    )
    assert template.render({"none": None}) == "[|0|0]"
