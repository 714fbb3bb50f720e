"""GUIDELINE_SCHEME: 锡组通〔2020〕8号《关于实行党员积分管理的指导意见》 as a scheme."""

from decimal import Decimal

from .scheme import BaseItem, BonusKind, BottomRank, DeductionKind, Level, Measure, Scheme, Thresholds

D = Decimal

GUIDELINE_SCHEME = Scheme(
    name="锡组通〔2020〕8号《关于实行党员积分管理的指导意见》",
    base_total=D(100),
    base_items=(
        BaseItem("study", "认真学习", "三(一)1", D(12), "study_hours", {"target_hours": D(32)}),
        BaseItem("meetings", "按时参加会议", "三(一)2", D(12), "attendance", {"late_cost": D("0.5")}),
        BaseItem("org_life", "自觉参加组织生活", "三(一)3", D(24), "attendance", {"late_cost": D("0.5")}),
        BaseItem("dues", "主动交纳党费", "三(一)4", D(12), "dues"),
        BaseItem(
            "thought_reports", "及时汇报思想", "三(一)5", D(4), "report_count", {"target_reports": D(4)}
        ),
        BaseItem("exemplary_role", "发挥模范作用", "三(一)6", D(12), "judgment"),
        BaseItem("discipline", "遵守党规党纪", "三(一)7", D(12), "judgment"),
        BaseItem("masses", "深入联系群众", "三(一)8", D(12), "judgment"),
    ),
    bonus_cap=D(10),
    bonus_kinds=(
        BonusKind("righteousness", "弘扬正气、挺身而出", "三(二)1", D(2), D(2)),
        BonusKind(
            "emergency_service",
            "参加突发性事件或专题性、阶段性服务项目",
            "三(二)2",
            D(1),
            D(2),
            excludes_own_duty=True,
        ),
        BonusKind("public_welfare", "参加矛盾化解、助民服务、爱心捐款等公益活动", "三(二)3", D(1), D(2)),
        BonusKind("long_term_task", "主动承担党组织赋予的长期性工作任务", "三(二)4", D(2), D(2)),
        BonusKind(
            "commendation",
            "受到党内表彰奖励",
            "三(二)5",
            levels=(
                Level("township", "镇（街道）级", D(1)),
                Level("district", "市（县）区级", D(2)),
                Level("city", "无锡市级以上", D(3)),
            ),
        ),
    ),
    deduction_kinds=(
        DeductionKind(
            "absence_or_dues",
            "无正当理由连续 3 个月不参加组织活动，或不按时足额交纳党费，或不做党所分配的工作",
            "三(三)1",
            D(5),
            D(10),
        ),
        DeductionKind(
            "pocket_member", "不及时接转组织关系，成为“口袋”党员达 3 个月以上", "三(三)2", D(5), D(10)
        ),
        DeductionKind(
            "mobile_no_report",
            "外出流动党员未按要求递交思想汇报、办理流动党员证或到流入地党组织报到",
            "三(三)3",
            D(5),
            D(10),
        ),
        DeductionKind(
            "negative_attitude",
            "工作态度消极、模范作用发挥不好、群众反映强烈，经批评教育仍无改观",
            "三(三)4",
            D(5),
            D(10),
        ),
        DeductionKind(
            "non_compliance",
            "在重大工作任务中不执行或消极执行政策规定、散布负面言论，造成一定影响",
            "三(三)5",
            D(5),
            D(10),
        ),
        DeductionKind(
            "other_violation",
            "其他不履行党员义务、不符合党员要求，尚达不到除名条件",
            "三(三)6",
            D(5),
            D(10),
        ),
    ),
    measures=(
        Measure("warning", "警示提醒"),
        Measure("criticism", "批评教育"),
        Measure("written_self_criticism", "书面检查"),
        Measure("public_self_criticism", "公开检讨"),
        Measure("admonishment_talk", "诫勉谈话"),
    ),
    # The guideline sets these numbers in clause 五; the comparison words live in results.py.
    thresholds=Thresholds(
        priority_recommendation_min=D(100),
        excellent_candidate_min=D(90),
        at_most_basic_max=D(70),
        awards_min=D(80),
        low_below=D(70),
        probation_below=D(80),
    ),
    # The guideline gives no number for 排名靠后; this is our default, documented in docs/scoring.md.
    bottom_rank=BottomRank(share=D("0.1"), min_count=1),
)
