"""Demo data: a vocational college's party committee, about 240 members, one login per role.

Deterministic (seeded) so screenshots and README logins stay true from run to run.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from members.models import Category, ExemptionReason, Gender
from members.services import exemption_advance, exemption_apply, member_create

from .models import Organization, OrgKind, PositionRole
from .services import org_create, position_assign

COMMITTEE_CODE = "DW"
DEMO_PASSWORD = "Demo#2026jf"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文亮志红晓东雪梅海燕丹玉兰春梅斌宇浩凯鹏辉健俊帆"

# (login, name of the branch or unit, role, person's name)
DEMO_LOGINS = [
    ("zuzhibu", "组织人事党支部", PositionRole.ORG_STAFF, "周组织", "党委组织部工作人员"),
    ("zongzhi", "机电工程学院党总支", PositionRole.SECRETARY, "吴总支", "党总支书记"),
    ("shuji", "机电教工第一党支部", PositionRole.SECRETARY, "郑书记", "党支部书记"),
    ("jiluyuan", "机电教工第一党支部", PositionRole.RECORDER, "钱记录", "积分记录员"),
    ("zhiwei", "机电教工第一党支部", PositionRole.COMMITTEE_MEMBER, "孙支委", "支部委员"),
    ("dangyuan", "机电教工第一党支部", None, "李党员", "普通党员"),
    ("zhishu", "图书馆直属党支部", PositionRole.SECRETARY, "冯直属", "直属党支部书记"),
]

STRUCTURE = [
    (
        "机关党工委",
        OrgKind.WORKING_COMMITTEE,
        [("党政办党支部", OrgKind.BRANCH), ("组织人事党支部", OrgKind.BRANCH)],
    ),
    (
        "机电工程学院党总支",
        OrgKind.GENERAL_BRANCH,
        [
            ("机电教工第一党支部", OrgKind.BRANCH),
            ("机电教工第二党支部", OrgKind.BRANCH),
            ("机电学生党支部", OrgKind.BRANCH),
        ],
    ),
    (
        "信息工程学院党总支",
        OrgKind.GENERAL_BRANCH,
        [
            ("信息教工党支部", OrgKind.BRANCH),
            ("信息学生第一党支部", OrgKind.BRANCH),
            ("信息学生第二党支部", OrgKind.BRANCH),
        ],
    ),
    (
        "经济管理学院党总支",
        OrgKind.GENERAL_BRANCH,
        [
            ("经管教工党支部", OrgKind.BRANCH),
            ("经管学生第一党支部", OrgKind.BRANCH),
            ("经管学生第二党支部", OrgKind.BRANCH),
        ],
    ),
    ("图书馆直属党支部", OrgKind.DIRECT_BRANCH, []),
]

MEMBERS_PER_BRANCH = 20


def is_seeded() -> bool:
    return Organization.objects.filter(code=COMMITTEE_CODE).exists()


@transaction.atomic
def seed(today: datetime.date | None = None) -> bool:
    """Create the demo committee once. Returns False when it is already there."""
    # Stays long: demo data reads best as one story of what is created, in order.
    if is_seeded():
        return False
    today = today or timezone.localdate()
    rng = random.Random(2020)
    User = get_user_model()
    committee = org_create(name="中共示范职业技术学院委员会", code=COMMITTEE_CODE, kind=OrgKind.COMMITTEE)
    branches: dict[str, Organization] = {}
    units: dict[str, Organization] = {committee.name: committee}
    seq = 0
    for i, (unit_name, kind, children) in enumerate(STRUCTURE, start=1):
        unit = org_create(name=unit_name, code=f"DW{i:02d}", kind=kind, parent=committee, sort_order=i)
        units[unit_name] = unit
        if kind == OrgKind.DIRECT_BRANCH:
            branches[unit_name] = unit
        for j, (child_name, child_kind) in enumerate(children, start=1):
            branches[child_name] = org_create(
                name=child_name, code=f"DW{i:02d}{j:02d}", kind=child_kind, parent=unit, sort_order=j
            )
            units[child_name] = branches[child_name]

    logins_by_branch: dict[str, list] = {}
    for login in DEMO_LOGINS:
        home = login[1] if login[1] in branches else "组织人事党支部"
        logins_by_branch.setdefault(home, []).append(login)

    for branch in branches.values():
        groups = [
            org_create(name=f"第{n}党小组", code=f"{branch.code}G{n}", kind=OrgKind.GROUP, parent=branch)
            for n in (1, 2)
        ]
        members = []
        demo_here = logins_by_branch.get(branch.name, [])
        for k in range(MEMBERS_PER_BRANCH):
            seq += 1
            demo = demo_here[k] if k < len(demo_here) else None
            name = demo[3] if demo else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            category = Category.FULL
            if demo is None and k in (17, 18):
                category = Category.PROBATIONARY
            elif demo is None and k == 19:
                category = Category.ACTIVIST
            fields = dict(
                code=f"{seq:05d}",
                name=name,
                gender=rng.choice((Gender.MALE, Gender.FEMALE)),
                category=category,
                join_date=None
                if category == Category.ACTIVIST
                else datetime.date(rng.randint(1990, 2023), rng.randint(1, 12), 1),
                branch=branch,
                group=groups[k % 2],
                phone=f"139{rng.randint(10000000, 99999999)}",
            )
            if category == Category.PROBATIONARY:
                start = datetime.date(today.year, 1, 10) if k == 17 else datetime.date(today.year - 1, 7, 1)
                fields.update(
                    join_date=start, probation_start=start, probation_end=start.replace(year=start.year + 1)
                )
            if demo is None and k in (15, 16) and "学生" not in branch.name:
                fields.update(
                    is_mobile=True,
                    mobile_destination=rng.choice(("苏州市", "南京市", "上海市")),
                    activity_card_no=f"LD{seq:06d}",
                )
            if demo:
                user = User.objects.create_user(username=demo[0], password=DEMO_PASSWORD, first_name=name)
                fields["user"] = user
            members.append(member_create(reason="演示数据", **fields))
        # Every branch gets a secretary and a recorder; demo logins take their posts first.
        taken = set()
        for k, demo in enumerate(demo_here):
            if demo[2] is None:
                continue
            org = units[demo[1]] if demo[2] != PositionRole.ORG_STAFF else committee
            position_assign(
                member=members[k],
                organization=org,
                role=demo[2],
                start_date=datetime.date(today.year - 2, 1, 1),
            )
            if org == branch:
                taken.add(demo[2])
        free = iter(m for m in members[len(demo_here) :])
        for role in (PositionRole.SECRETARY, PositionRole.RECORDER, PositionRole.COMMITTEE_MEMBER):
            if role not in taken:
                position_assign(
                    member=next(free),
                    organization=branch,
                    role=role,
                    start_date=datetime.date(today.year - 2, 1, 1),
                )
        for g in groups:
            position_assign(
                member=next(free),
                organization=g,
                role=PositionRole.GROUP_LEADER,
                start_date=datetime.date(today.year - 2, 1, 1),
            )
    # General branches and the working committee get a secretary from one of their branches.
    for unit in units.values():
        if unit.kind in (OrgKind.GENERAL_BRANCH, OrgKind.WORKING_COMMITTEE) and not unit.positions.exists():
            first_branch = unit.children.order_by("sort_order").first()
            member = first_branch.members.order_by("code")[5]
            position_assign(
                member=member,
                organization=unit,
                role=PositionRole.SECRETARY,
                start_date=datetime.date(today.year - 2, 1, 1),
            )

    # One exempt member: away from the city all year (clause 二), approved this year.
    away = branches["机电教工第一党支部"].members.filter(is_mobile=True).order_by("code").first()
    secretary = get_user_model().objects.get(username="shuji")
    exemption = exemption_apply(
        member=away,
        year=today.year,
        reason=ExemptionReason.AWAY,
        detail="全年在苏州市外派工作，由本人申请。",
        actor=secretary,
    )
    for step in ("review", "pass", "publicize"):
        exemption = exemption_advance(
            exemption=exemption, step=step, actor=secretary, today=today - datetime.timedelta(days=30)
        )
    exemption_advance(exemption=exemption, step="confirm", actor=secretary, today=today)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", password=DEMO_PASSWORD)
    return True


def login_lines() -> list[str]:
    lines = [f"  {login:<10} {DEMO_PASSWORD}  {desc}（{unit}）" for login, unit, _r, _n, desc in DEMO_LOGINS]
    lines.append(f"  {'admin':<10} {DEMO_PASSWORD}  系统管理员（/admin/）")
    return lines
