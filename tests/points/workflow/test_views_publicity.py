import datetime

from django.urls import reverse
from django.utils import timezone

from points.models import (
    Assembly,
    Objection,
    ObjectionChannel,
    ObjectionState,
    PointEntry,
    Quarter,
    QuarterState,
)
from points.services import workflow

from .test_views_matrix import advance, declare, deduct, object_to, open_quarter


def _assembly_data(present, **extra):
    return {
        "held_on": timezone.localdate().isoformat(),
        "present": [m.pk for m in present],
        "decision": "同意",
        **extra,
    }


def test_it_shows_the_assembly_the_provisional_results(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    html = login(cast.secretary).get(reverse("points:assembly", args=[q.pk])).content.decode()
    assert "提交大会的初评结果" in html and "普通党员" in html
    assert "外支部党员" not in html  # voters are the branch's own full members


def test_it_refuses_an_assembly_without_a_quorum_and_changes_nothing(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    voters = workflow.voting_members(cast.b1)
    response = login(cast.secretary).post(reverse("points:assembly", args=[q.pk]), _assembly_data(voters[:2]))
    assert response.status_code == 200
    assert "未超过半数，不能进行评定" in response.content.decode()
    q.refresh_from_db()
    assert q.state == QuarterState.IN_REVIEW and not Assembly.objects.exists()


def test_it_refuses_an_assembly_dated_in_the_future(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    data = _assembly_data(workflow.voting_members(cast.b1), held_on="2099-01-01")
    response = login(cast.secretary).post(reverse("points:assembly", args=[q.pk]), data)
    assert "不能晚于今天" in response.content.decode() and not Assembly.objects.exists()


def test_it_records_the_assembly(cast, login):
    q = advance(cast, open_quarter(cast), "in_review")
    voters = workflow.voting_members(cast.b1)
    client = login(cast.secretary)
    response = client.post(reverse("points:assembly", args=[q.pk]), _assembly_data(voters[:3]))
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.state == QuarterState.DETERMINED and Assembly.objects.get().present.count() == 3
    html = client.get(reverse("points:quarter", args=[q.pk])).content.decode()
    assert "到会 3 人" in html and "发布公示" in html


def test_it_takes_a_members_objection_during_publicity(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    client = login(cast.member)
    assert "对本人积分提出异议" in client.get(reverse("points:quarter", args=[q.pk])).content.decode()
    response = client.post(reverse("points:object", args=[q.pk]), {"channel": "appeal", "text": "扣分过重"})
    assert response.status_code == 302
    o = Objection.objects.get()
    assert (o.member, o.channel, o.state) == (cast.member.member, "appeal", ObjectionState.SUBMITTED)
    assert "正在核实" in client.get(reverse("points:object", args=[q.pk])).content.decode()


def test_it_refuses_an_empty_objection(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    response = login(cast.member).post(
        reverse("points:object", args=[q.pk]), {"channel": "branch", "text": " "}
    )
    assert response.status_code == 200 and not Objection.objects.exists()


def test_it_refuses_an_objection_after_publicity(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    Quarter.objects.filter(pk=q.pk).update(publicity_end=timezone.localdate() - datetime.timedelta(days=1))
    client = login(cast.member)
    assert "不能提出异议" in client.get(reverse("points:object", args=[q.pk])).content.decode()
    response = client.post(reverse("points:object", args=[q.pk]), {"channel": "branch", "text": "迟到的异议"})
    assert "只能在公示期内提出异议" in response.content.decode()
    assert not Objection.objects.exists()


def test_it_lists_objections_for_their_handlers_only(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    object_to(cast, q, ObjectionChannel.BRANCH)
    object_to(cast, q, ObjectionChannel.APPEAL, who="committee_member")
    secretary = login(cast.secretary).get(reverse("points:objections")).content.decode()
    assert "普通党员" in secretary and "支委委员" not in secretary
    higher = login(cast.gb_secretary).get(reverse("points:objections")).content.decode()
    assert "支委委员" in higher and "普通党员" not in higher


def test_it_dismisses_an_objection_with_feedback_the_member_sees(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    o = object_to(cast, q)
    data = {
        "upheld": "no",
        "findings": "经核对签到表，2 月主题党日缺席",
        "feedback": "维持原评定，欢迎继续监督",
    }
    response = login(cast.secretary).post(reverse("points:objection_handle", args=[o.pk]), data)
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.state == ObjectionState.DISMISSED and o.handled_by == cast.secretary.user
    mine = login(cast.member).get(reverse("points:object", args=[q.pk])).content.decode()
    assert "维持原评定，欢迎继续监督" in mine and "异议不成立" in mine
    quarter_page = login(cast.member).get(reverse("points:quarter", args=[q.pk])).content.decode()
    assert "经核对签到表" in quarter_page and "待下一次党员大会通报" in quarter_page


def test_it_upholds_an_objection_with_a_correction(cast, login):
    q = open_quarter(cast)
    advance(cast, q, "in_review")
    entry = deduct(cast, q, value=8)
    advance_published(cast, q)
    o = object_to(cast, q)
    data = {
        "upheld": "yes",
        "findings": "情节较轻",
        "feedback": "改为扣 5 分",
        "mode": "correct",
        "correct_entry": entry.pk,
        "new_value": "5",
    }
    login(cast.secretary).post(reverse("points:objection_handle", args=[o.pk]), data)
    o.refresh_from_db()
    entry.refresh_from_db()
    assert o.state == ObjectionState.UPHELD and o.correction.corrects == entry and not entry.is_current


def advance_published(cast, q):
    workflow.assembly_record(
        quarter=q,
        actor=cast.secretary.user,
        held_on=timezone.localdate(),
        present=workflow.voting_members(cast.b1),
        decision="同意",
    )
    q.refresh_from_db()
    workflow.quarter_publish(quarter=q, actor=cast.secretary.user)
    q.refresh_from_db()


def test_it_upholds_an_objection_by_adding_an_entry(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    o = object_to(cast, q)
    data = {
        "upheld": "yes",
        "findings": "漏记市级表彰",
        "feedback": "已补记",
        "mode": "add",
        "add_item": "bonus:commendation",
        "add_level": "city",
        "add_content_key": "优秀共产党员",
    }
    assert (
        login(cast.secretary).post(reverse("points:objection_handle", args=[o.pk]), data).status_code == 302
    )
    e = PointEntry.objects.get()
    assert (e.kind, e.level, e.value, e.member) == ("commendation", "city", 3, cast.member.member)


def test_it_refuses_upholding_without_a_correction_and_changes_nothing(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    o = object_to(cast, q)
    data = {"upheld": "yes", "findings": "x", "feedback": "y"}
    response = login(cast.secretary).post(reverse("points:objection_handle", args=[o.pk]), data)
    assert response.status_code == 200 and "须更正或补记积分" in response.content.decode()
    o.refresh_from_db()
    assert o.state == ObjectionState.SUBMITTED and not PointEntry.objects.exists()


def test_it_refuses_a_correction_out_of_range_and_changes_nothing(cast, login):
    q = open_quarter(cast)
    advance(cast, q, "in_review")
    entry = deduct(cast, q, value=8)
    advance_published(cast, q)
    o = object_to(cast, q)
    data = {
        "upheld": "yes",
        "findings": "x",
        "feedback": "y",
        "mode": "correct",
        "correct_entry": entry.pk,
        "new_value": "3",
    }
    response = login(cast.secretary).post(reverse("points:objection_handle", args=[o.pk]), data)
    assert response.status_code == 200 and "5-10" in response.content.decode()
    o.refresh_from_db()
    entry.refresh_from_db()
    assert o.state == ObjectionState.SUBMITTED and entry.is_current and PointEntry.objects.count() == 1


def test_it_shows_a_handled_objection_read_only(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    o = object_to(cast, q)
    workflow.objection_handle(
        objection=o, actor=cast.secretary.user, upheld=False, findings="核实", feedback="反馈"
    )
    client = login(cast.secretary)
    html = client.get(reverse("points:objection_handle", args=[o.pk])).content.decode()
    assert "保存核实结果" not in html and "反馈" in html
    response = client.post(reverse("points:objection_handle", args=[o.pk]), {"upheld": "no"}, follow=True)
    assert "该异议已处理" in response.content.decode()


def test_it_announces_handled_objections_at_the_next_assembly(cast, login):
    q = advance(cast, open_quarter(cast), "published")
    o = object_to(cast, q)
    workflow.objection_handle(
        objection=o, actor=cast.secretary.user, upheld=False, findings="经核实无误", feedback="维持"
    )
    advance_closed = workflow.quarter_close(
        quarter=q, actor=cast.secretary.user, today=q.publicity_end + datetime.timedelta(days=1)
    )
    q2 = advance(cast, open_quarter(cast, 2), "determined")
    html = login(cast.member).get(reverse("points:quarter", args=[q2.pk])).content.decode()
    assert advance_closed.state == QuarterState.CLOSED
    assert "本次大会通报的异议处理情况" in html and "经核实无误" in html


def test_it_keeps_declarations_pending_from_the_assembly(cast, login):
    q = open_quarter(cast)
    declare(cast, q, submit=True)
    advance(cast, q, "in_review")
    response = login(cast.secretary).post(
        reverse("points:assembly", args=[q.pk]), _assembly_data(workflow.voting_members(cast.b1))
    )
    assert "未初评" in response.content.decode()
    q.refresh_from_db()
    assert q.state == QuarterState.IN_REVIEW
