"""Demo data for study: the organization department's 党员学习教育安排 2020年第3期, word for word.

`seed_arrangement()` is idempotent; branches.demo.seed() must have run first (the seed_demo command
calls both).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from branches.demo import COMMITTEE_CODE
from branches.models import Organization

from .models import Arrangement
from .services import arrangement_create, arrangement_publish

ISSUE_LABEL = "2020年第3期"
DEPARTMENT_LOGIN = "zuzhibu"

# The source document, section by section (spec/source-document.txt, first part).
CONTENT = {
    "title": "党员学习教育安排",
    "issue_label": ISSUE_LABEL,
    "issuer": "党委组织部",
    "issued_on": datetime.date(2020, 5, 7),
    "schedule": [
        # "机关党工委、 党总支（直属党支部）" is kept as printed; it matches 机关党工委, every 党总支 and
        # every 直属党支部 of the committee.
        {
            "week": 13,
            "date": datetime.date(2020, 5, 12),
            "organizers_text": "机关党工委、 党总支（直属党支部）",
        },
    ],
    "theme": "深入学习贯彻习近平新时代中国特色社会主义思想，在疫情常态化下“比学赶超”",
    "purpose": (
        "通过集中学习《习近平新时代中国特色社会主义思想三十讲》，引导全体党员师生准确把握习近平新时代中国特色"
        "社会主义思想重大意义，进一步统一思想、统一意志、统一行动，提振干事创业、担当作为的精气神。学习中央、"
        "教育部、江苏省疫情防控工作部署和高质量发展的要求、精神，准确研判疫情防控常态化和学校高质量发展的内涵和"
        "切入点，助力学校在“双高”建设的道路上做到“比学赶超”，开辟学校发展新境界。通过学习党员积分管理的指导"
        "意见，提高党员队伍建设质量。"
    ),
    "readings": [
        {
            "title": "听学新思想之：《习近平新时代中国特色社会主义思想三十讲》第十九讲、第二十讲",
            "source": "",
            "url": "http://www.xinhuanet.com/politics/xjpsxkj/index.html",
            "page": None,
        },
        {
            "title": "中共中央政治局常务委员会召开会议 听取疫情防控工作中央指导组工作汇报 "
            "研究完善常态化疫情防控体制机制 中共中央总书记习近平主持会议",
            "source": "",
            "url": "",
            "page": 3,
        },
        {
            "title": "娄勤俭：在高质量发展道路上来一场比学赶超",
            "source": "《群众》2020 年第 9 期",
            "url": "",
            "page": 5,
        },
        {"title": "教育部召开高校复学疫情防控调度视频会", "source": "", "url": "", "page": 13},
        {
            "title": "省教育厅关于加强疫情防控常态化条件下教育系统安全生产工作的通知（苏教安函〔2020〕5 号）",
            "source": "",
            "url": "",
            "page": 14,
        },
        {
            "title": "关于实行党员积分管理的指导意见（锡组通〔2020〕8 号）",
            "source": "",
            "url": "",
            "page": 16,
        },
    ],
    "discussion": "结合学习体会，谈谈如何在疫情常态化下分别实现个人发展和学校发展的“比学赶超”。",
    "requirements": [
        "党员学习教育在党总支（直属党支部）指导下，以党支部或党小组为单位组织开展，如时间有调整，请提前半天以"
        "党总支或直属党支部为单位报党委组织部，同时附活动方式和活动地点。",
        "以党支部或党小组为单位认真做好学习教育记录，党总支对学习开展情况定期进行检查，学校将开展不定期督查，"
        "学习教育活动开展情况作为党建考核和先进基层党组织评比的依据之一。",
        "各党总支、直属支部要把学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神作为当前和今后一个时期的"
        "首要政治任务，要充分利用党组织统一活动日，积极探索多种学习模式，丰富学习方法，增进学习效果。全体师生要"
        "统一思想、凝心聚力，推动学校的双高校建设。",
    ],
}


@transaction.atomic
def seed_arrangement() -> Arrangement | None:
    """Create and publish the 2020年第3期 arrangement in the demo committee, once.

    Returns the arrangement (the existing one on a second run), or None when the demo committee has
    not been seeded.
    """
    committee = Organization.objects.filter(code=COMMITTEE_CODE).first()
    if committee is None:
        return None
    existing = Arrangement.objects.filter(committee=committee, issue_label=ISSUE_LABEL).first()
    if existing is not None:
        return existing
    actor = get_user_model().objects.get(username=DEPARTMENT_LOGIN)
    content = {**CONTENT, "schedule": [dict(r) for r in CONTENT["schedule"]]}
    content["readings"] = [dict(r) for r in CONTENT["readings"]]
    arrangement = arrangement_create(committee=committee, content=content, actor=actor)
    published_at = datetime.datetime(2020, 5, 7, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    return arrangement_publish(arrangement=arrangement, actor=actor, now=published_at)
