"""Factories that go through the services, so test data obeys the same rules as real data."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from branches.models import OrgKind
from branches.services import org_create
from members.models import Category, Gender, Member
from members.services import member_create

_codes = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_org(name: str, kind: str, parent=None, code: str | None = None):
    return org_create(name=name, code=code or f"ORG{next(_codes):05d}", kind=kind, parent=parent)


def make_member(
    branch,
    *,
    name: str | None = None,
    category: str = Category.FULL,
    user=None,
    group=None,
    code: str | None = None,
    **extra,
) -> Member:
    n = next(_codes)
    fields = dict(
        code=code or f"M{n:06d}",
        name=name or f"党员{n}",
        gender=Gender.MALE if n % 2 else Gender.FEMALE,
        category=category,
        join_date=datetime.date(2015, 7, 1),
        branch=branch,
        group=group,
        user=user,
    )
    if category == Category.PROBATIONARY:
        fields.update(probation_start=datetime.date(2026, 1, 1), probation_end=datetime.date(2027, 1, 1))
    if category == Category.ACTIVIST:
        fields["join_date"] = None
    fields.update(extra)
    return member_create(**fields)


def make_committee_tree():
    committee = make_org("测试学院党委", OrgKind.COMMITTEE, code="C1")
    g1 = make_org("第一党总支", OrgKind.GENERAL_BRANCH, committee, code="G1")
    g2 = make_org("第二党总支", OrgKind.GENERAL_BRANCH, committee, code="G2")
    b1 = make_org("第一党支部", OrgKind.BRANCH, g1, code="B1")
    b2 = make_org("第二党支部", OrgKind.BRANCH, g1, code="B2")
    b3 = make_org("第三党支部", OrgKind.BRANCH, g2, code="B3")
    group1 = make_org("第一党小组", OrgKind.GROUP, b1, code="B1G1")
    return committee, g1, g2, b1, b2, b3, group1


def record_session(branch, start, *, hours_long: float = 2, **fields):
    """A session as a past quarter's records hold it, written directly (session_create refuses a day
    whose quarter is locked). `start` is a datetime, or a date for 9:00 Beijing time that day."""
    import zoneinfo

    from points.models import Session, SessionKind

    if not isinstance(start, datetime.datetime):
        start = datetime.datetime.combine(start, datetime.time(9), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    fields.setdefault("kind", SessionKind.ACTIVITY_DAY)
    fields.setdefault("title", "主题党日")
    fields.setdefault("signin_secret", "x")
    return Session.objects.create(
        branch=branch, starts_at=start, ends_at=start + datetime.timedelta(hours=hours_long), **fields
    )
