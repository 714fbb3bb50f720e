"""A whole quarter on phones (375 px), each person in their own browser: the secretary opens the fourth
quarter and records a session's attendance, a member declares and submits an item with a photo, the
committee approves it, the secretary records the assembly and publishes, the member objects, the secretary
answers and the member reads the answer. Then the year closes: roll-up and submission by the secretary,
filing by the general branch. The first three quarters of the year are run by the services in setup."""

import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse
from PIL import Image

from points.models import (
    Attendance,
    Declaration,
    DeclarationState,
    FilingState,
    Objection,
    ObjectionState,
    Quarter,
    QuarterState,
)
from points.services import records as record_services
from points.services import workflow
from tests.points.workflow.conftest import run_quarter

from .conftest import PHONE, log_in

pytestmark = pytest.mark.browser

YEAR = 2025


def _png() -> bytes:
    """A real (tiny) PNG: evidence is decoded and re-encoded, so magic bytes alone no longer pass."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


PNG = _png()
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(browser, server):
    """people("member") → a logged-in phone page of that member of the cast (one context each)."""
    contexts, pages = [], {}

    def _as(username):
        if username not in pages:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(10_000)
            log_in(page, server, username)
            pages[username] = page
        return pages[username]

    yield _as
    for context in contexts:
        context.close()


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url} scrolls sideways at 375 px (scrollWidth {width})"


def _first_three_quarters(cast):
    for number in (1, 2, 3):
        run_quarter(
            cast, workflow.quarter_open(branch=cast.b1, year=YEAR, number=number, actor=cast.secretary.user)
        )


def test_it_takes_a_quarter_from_declaration_to_the_answered_objection(server, cast, people):
    _first_three_quarters(cast)
    starts = datetime.datetime(YEAR, 11, 10, 9, tzinfo=TZ)
    session = record_services.session_create(
        branch=cast.b1,
        kind="activity_day",
        title="11月主题党日",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        actor=cast.secretary.user,
    )
    url = server.url

    # The secretary opens the fourth quarter: the form offers it already.
    secretary = people("secretary")
    secretary.goto(url + reverse("points:quarters", args=[cast.b1.pk]))
    assert secretary.locator("#id_number").input_value() == "4"
    secretary.get_by_role("button", name="开启").click()
    secretary.get_by_text("第4季度已开启").wait_for()
    quarter = Quarter.objects.get(branch=cast.b1, year=YEAR, number=4)

    # ... and records the session's attendance.
    secretary.goto(url + reverse("points:attendance", args=[session.pk]))
    for name in ["支部书记", "记录员", "支委委员", "普通党员"]:
        secretary.get_by_role("group", name=f"{name}的出勤").get_by_role("radio", name="出席").check()
    secretary.get_by_role("button", name="保存出勤").click()
    secretary.wait_for_load_state()
    assert Attendance.objects.filter(session=session, is_current=True).count() == 4

    # A member declares a public-welfare item with a photo and submits it.
    member = people("member")
    member.goto(url + reverse("points:quarter", args=[quarter.pk]))
    member.get_by_role("link", name="申报积分事项").click()
    member.select_option("#id_item", "bonus:public_welfare")
    member.fill("#id_value", "2")
    member.fill("#id_occurred_on", f"{YEAR}-11-12")
    member.fill("#id_description", "参加社区爱心义卖，所得捐给困难家庭")
    member.set_input_files(
        "#id_evidence", files=[{"name": "义卖.png", "mimeType": "image/png", "buffer": PNG}]
    )
    member.get_by_role("button", name="保存").click()
    member.get_by_role("button", name="提交").click()
    member.get_by_text("已提交，等待支委会初评").wait_for()
    _fits(member)
    assert Declaration.objects.get().state == DeclarationState.SUBMITTED

    # The secretary closes declarations; a committee member approves the item.
    secretary.goto(url + reverse("points:quarter", args=[quarter.pk]))
    secretary.get_by_role("button", name="截止申报，转入支委初评").click()
    secretary.get_by_text("转入支委初评；本季度记录已锁定").wait_for()
    committee = people("committee_member")
    committee.goto(url + reverse("points:review", args=[quarter.pk]))
    _fits(committee)
    committee.get_by_role("link", name="普通党员").click()
    committee.get_by_text("参加社区爱心义卖").wait_for()
    committee.get_by_role("button", name="保存初评意见").click()
    committee.get_by_text("已记录对普通党员所报事项的初评意见").wait_for()
    committee.screenshot(path="/tmp/quarter-review-member.png", full_page=True)
    _fits(committee)
    assert Declaration.objects.get().state == DeclarationState.APPROVED

    # The secretary records the assembly (all four voting members present) and publishes.
    secretary.goto(url + reverse("points:quarter", args=[quarter.pk]))
    secretary.get_by_role("link", name="党员大会评定").click()
    for name in ["支部书记", "记录员", "支委委员", "普通党员"]:
        secretary.get_by_label(name, exact=False).check()
    secretary.get_by_role("button", name="记录评定结果").click()
    secretary.get_by_role("button", name="发布公示").click()
    secretary.get_by_text("积分已公示").wait_for()
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.PUBLISHED

    # The member sees the published list and objects to the branch.
    member.goto(url + reverse("points:quarter", args=[quarter.pk]))
    assert member.locator("table.published").get_by_text("普通党员").is_visible()
    member.screenshot(path="/tmp/quarter-published.png", full_page=True)
    _fits(member)
    member.get_by_role("link", name="对本人积分提出异议").click()
    member.get_by_label("向党支部反映").check()
    member.fill("#id_text", "11 月 20 日的志愿服务没有计入加分")
    member.get_by_role("button", name="提交异议").click()
    member.get_by_text("异议已提交").wait_for()

    # The secretary answers it.
    secretary.goto(url + reverse("points:objections"))
    secretary.get_by_role("link", name="普通党员").click()
    secretary.get_by_label("异议不成立，维持原评定").check()
    secretary.fill("#id_findings", "经核实，11 月 20 日的活动为单位工作安排，属本职工作")
    secretary.fill("#id_feedback", "该活动属本职工作，按规定不加分；如有新的材料可再次反映。")
    secretary.get_by_role("button", name="保存核实结果").click()
    secretary.get_by_text("已记录核实情况并向党员反馈").wait_for()
    assert Objection.objects.get().state == ObjectionState.DISMISSED

    # The member reads the answer.
    member.goto(url + reverse("points:object", args=[quarter.pk]))
    member.get_by_text("该活动属本职工作，按规定不加分").wait_for()
    member.screenshot(path="/tmp/quarter-objection-answer.png", full_page=True)
    _fits(member)

    # Publicity ends (its days are simply moved into the past); the secretary closes the quarter,
    # rolls the year up and submits it; the general branch files it.
    Quarter.objects.filter(pk=quarter.pk).update(
        publicity_start=datetime.date(2026, 1, 5), publicity_end=datetime.date(2026, 1, 12)
    )
    secretary.goto(url + reverse("points:quarter", args=[quarter.pk]))
    secretary.get_by_role("button", name="结束公示").click()
    secretary.get_by_text("公示期满，已结束公示").wait_for()
    secretary.goto(url + reverse("points:annual", args=[cast.b1.pk, YEAR]))
    secretary.get_by_role("button", name="汇总年度积分").click()
    secretary.get_by_text("年度积分已汇总").wait_for()
    secretary.get_by_role("button", name="报上级党组织审核备案").click()
    secretary.get_by_text("已报上级党组织审核备案").first.wait_for()

    higher = people("gb_secretary")
    higher.goto(url + reverse("points:filings"))
    higher.get_by_label("审核通过，予以备案").check()
    higher.get_by_role("button", name="提交审核意见").click()
    higher.get_by_text("年度积分已审核备案").wait_for()
    higher.goto(url + reverse("points:annual", args=[cast.b1.pk, YEAR]))
    higher.screenshot(path="/tmp/quarter-annual-filed.png", full_page=True)
    _fits(higher)
    assert quarter.branch.filings.get(year=YEAR).state == FilingState.FILED
