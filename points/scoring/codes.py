"""Codes shared with the Django side: member categories, result flags and the guideline's clause refs."""

from enum import StrEnum


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return self._labels()[self.value]

    @classmethod
    def _labels(cls) -> dict[str, str]:
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs in declaration order, ready for Django ``choices``."""
        return [(member.value, member.label) for member in cls]


class Category(_Labelled):
    FULL = "full"
    PROBATIONARY = "probationary"
    ACTIVIST = "activist"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return CATEGORY_LABELS


CATEGORY_LABELS = {
    "full": "正式党员",
    "probationary": "预备党员",
    "activist": "入党积极分子",
}


class Result(_Labelled):
    PRIORITY_RECOMMENDATION = "priority_recommendation"
    EXCELLENT_CANDIDATE = "excellent_candidate"
    AT_MOST_BASIC = "at_most_basic"
    NOT_ELIGIBLE_FOR_AWARDS = "not_eligible_for_awards"
    TALK_AND_PAIRING = "talk_and_pairing"
    UNQUALIFIED = "unqualified"
    EXTEND_PROBATION = "extend_probation"
    DEVELOPMENT_BASIS = "development_basis"
    CANCEL_ACTIVIST = "cancel_activist"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return RESULT_LABELS


RESULT_LABELS = {
    "priority_recommendation": "优先推荐党内各类表彰奖励",
    "excellent_candidate": "可作为民主评议“优秀”等次人选",
    "at_most_basic": "民主评议应评定为“基本合格”以下等次",
    "not_eligible_for_awards": "不得参加党内各级各类评先评优",
    "talk_and_pairing": "由党支部进行谈心谈话、开展结对帮扶",
    "unqualified": "民主评议应评定为“不合格”等次并按规定进行组织处置",
    "extend_probation": "应延长预备期 6-12 个月，由入党介绍人谈心谈话",
    "development_basis": "得分作为确定发展对象的重要依据",
    "cancel_activist": "取消入党积极分子资格",
}

# Clause refs of the guideline that live in code rather than in a scheme (items and kinds carry their own).
CLAUSE_EXEMPTION = "二"
CLAUSE_BONUS_CAP = "三(二)"
CLAUSE_MEASURES = "三(三)"
CLAUSE_RESULTS_MEMBER = "五1"
CLAUSE_RESULTS_PROBATIONARY = "五2"
CLAUSE_RESULTS_ACTIVIST = "五3"
