"""The declarative scheme refuses a bad dict or rules that drop the guideline's items, naming the field."""

import copy
from decimal import Decimal as D

import pytest

from points.scoring import (
    GUIDELINE_SCHEME,
    Scheme,
    SchemeError,
    ScoringError,
)


def guideline_dict():
    return copy.deepcopy(GUIDELINE_SCHEME.to_dict())


def changed(path, value):
    data = guideline_dict()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ("not a dict", "", "应为键值对"),
        (changed(["name"], KeyError), "name", "缺少此字段"),
        (changed(["bonus_capp"], 10), "bonus_capp", "是未知字段"),
        (changed(["format"], 2), "format", "不支持的格式版本"),
        (changed(["base_items"], {"study": 12}), "base_items", "应为列表"),
        (changed(["base_items", 0, "cap"], "abc"), "base_items[study].cap", "应为数字"),
        (changed(["base_items", 0, "cap"], -1), "base_items[study].cap", "应大于 0"),
        (changed(["base_items", 0, "cap"], 12.3), "base_items[study].cap", "0.5 的整数倍"),
        (changed(["base_items", 0, "cap"], 10), "base_items", "各项分值之和为 98，与基础积分满分 100 不一致"),
        (changed(["base_items", 1, "code"], "study"), "base_items[study].code", "代码重复"),
        (changed(["base_items", 1, "code"], "Meetings"), "base_items[1].code", "代码"),
        (changed(["base_items", 1, "method"], "guess"), "base_items[meetings].method", "未知的计分方法"),
        (changed(["base_items", 5, "method"], "dues"), "base_items", "只能用于一个项目"),
        (changed(["base_items", 0, "params", "hours"], 32), "base_items[study].params.hours", "不是计分方法"),
        (
            changed(["base_items", 1, "params", "late_cost"], 2),
            "base_items[meetings].params.late_cost",
            "不能大于 1",
        ),
        (changed(["base_items", 0, "label"], ""), "base_items[study].label", "非空文字"),
        (changed(["bonus_cap"], True), "bonus_cap", "应为数字"),
        (
            changed(["bonus_kinds", 1, "min_value"], 3),
            "bonus_kinds[emergency_service]",
            "最低分值 3 大于最高分值 2",
        ),
        (changed(["bonus_kinds", 4, "min_value"], 1), "bonus_kinds[commendation]", "不设 min_value"),
        (
            changed(["bonus_kinds", 4, "levels", 0, "value"], 0),
            "bonus_kinds[commendation].levels[township].value",
            "应大于 0",
        ),
        (changed(["deduction_kinds", 0, "max_value"], 4), "deduction_kinds[absence_or_dues]", "大于最高分值"),
        (changed(["measures"], []), "measures", "应为非空列表"),
        (changed(["thresholds", "low_below"], KeyError), "thresholds.low_below", "缺少此字段"),
        (
            changed(["thresholds", "priority_recommendation_min"], 85),
            "thresholds.priority_recommendation_min",
            "不应低于",
        ),
        (changed(["bottom_rank", "share"], 1.5), "bottom_rank.share", "应在 0 到 1 之间"),
        (changed(["bottom_rank", "min_count"], -1), "bottom_rank.min_count", "不小于 0 的整数"),
    ],
)
def test_it_refuses_a_bad_dict_naming_the_field(data, field, words):
    with pytest.raises(SchemeError) as error:
        Scheme.from_dict(data)
    assert error.value.field == field
    assert words in str(error.value)
    assert str(error.value).startswith("评分方案有误：")
    assert isinstance(error.value, ScoringError)


def test_it_refuses_a_scheme_whose_items_do_not_add_up_to_its_base_total():
    with pytest.raises(SchemeError, match="各项分值之和为 100，与基础积分满分 90 不一致"):
        Scheme(
            name="错",
            base_total=D(90),
            base_items=GUIDELINE_SCHEME.base_items,
            bonus_cap=D(10),
            bonus_kinds=(),
            deduction_kinds=(),
            measures=GUIDELINE_SCHEME.measures,
        )


def test_it_lists_every_problem_of_a_bad_scheme_at_once():
    data = changed(["bonus_cap"], -1)
    data["measures"] = []
    with pytest.raises(SchemeError) as error:
        Scheme.from_dict(data)
    assert "bonus_cap（加分累计上限）应不小于 0" in str(error.value)
    assert "measures（帮教整改方式）应为非空列表" in str(error.value)


def test_it_refuses_rules_stored_as_a_full_dict_that_drop_a_measure_or_an_item():
    data = guideline_dict()
    data["measures"] = data["measures"][1:]
    with pytest.raises(SchemeError, match="不得删除指导意见规定的帮教整改方式“警示提醒”"):
        Scheme.from_dict(data).validate_against(GUIDELINE_SCHEME)
    data = guideline_dict()
    data["base_items"] = [item for item in data["base_items"] if item["code"] != "thought_reports"]
    data["base_items"][0]["cap"] = 16
    with pytest.raises(SchemeError) as error:
        Scheme.from_dict(data).validate_against(GUIDELINE_SCHEME)
    assert "base_items[thought_reports]" in str(error.value) and "不得删除" in str(error.value)
