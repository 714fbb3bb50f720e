import pytest
from django.core.exceptions import ValidationError

from points.models import SchemeConfig
from points.scoring import GUIDELINE_SCHEME
from points.selectors.facts import scheme_for
from points.services.schemes import scheme_config_save


def _derived(**overrides):
    return GUIDELINE_SCHEME.derive(overrides).to_dict()


def test_it_uses_the_guideline_when_no_rules_are_stored(cast):
    assert scheme_for(cast.b1, 2026) == GUIDELINE_SCHEME


def test_it_applies_a_committee_rule_from_its_year(cast):
    data = _derived(base_items=[{"code": "study", "params": {"target_hours": 40}}])
    scheme_config_save(organization=cast.committee, applies_from=2026, title="学院实施细则", data=data)
    assert scheme_for(cast.b1, 2025) == GUIDELINE_SCHEME
    study = next(i for i in scheme_for(cast.b1, 2026).base_items if i.code == "study")
    assert study.params["target_hours"] == 40


def test_it_prefers_the_branch_rule_over_the_committee_rule(cast):
    scheme_config_save(
        organization=cast.committee,
        applies_from=2025,
        title="学院细则",
        data=_derived(base_items=[{"code": "study", "params": {"target_hours": 36}}]),
    )
    scheme_config_save(
        organization=cast.b1,
        applies_from=2026,
        title="支部细则",
        data=_derived(base_items=[{"code": "study", "params": {"target_hours": 40}}]),
    )
    hours = {
        b.name: next(i for i in scheme_for(b, 2026).base_items if i.code == "study").params["target_hours"]
        for b in (cast.b1, cast.b2)
    }
    assert hours == {cast.b1.name: 40, cast.b2.name: 36}


def test_it_refuses_rules_beyond_the_guideline_and_stores_nothing(cast):
    data = GUIDELINE_SCHEME.to_dict()
    data["bonus_cap"] = 12
    with pytest.raises(ValidationError, match="实施细则有误"):
        scheme_config_save(organization=cast.committee, applies_from=2026, title="越界", data=data)
    assert not SchemeConfig.objects.exists()


def test_it_refuses_rules_for_a_general_branch(cast):
    with pytest.raises(ValidationError, match="党委或党支部"):
        scheme_config_save(
            organization=cast.g1, applies_from=2026, title="总支", data=GUIDELINE_SCHEME.to_dict()
        )
    assert not SchemeConfig.objects.exists()
