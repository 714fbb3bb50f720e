import datetime

from django.urls import reverse

from branches.models import Position, PositionRole
from tests.factories import make_member


def test_it_appoints_a_recorder_after_the_old_one_leaves(client, cast):
    client.force_login(cast.secretary.user)
    old = Position.objects.get(organization=cast.b1, role=PositionRole.RECORDER, end_date__isnull=True)
    response = client.post(reverse("branches:position_end", args=[old.pk]), {"end_date": "2026-06-30"})
    assert response.status_code == 302
    newcomer = make_member(cast.b1)
    response = client.post(
        reverse("branches:position_new", args=[cast.b1.pk]),
        {"member": newcomer.pk, "role": PositionRole.RECORDER, "start_date": "2026-07-01"},
    )
    assert response.status_code == 302
    current = Position.objects.get(organization=cast.b1, role=PositionRole.RECORDER, end_date__isnull=True)
    assert current.member == newcomer
    old.refresh_from_db()
    assert old.end_date == datetime.date(2026, 6, 30)


def test_it_refuses_a_second_recorder_with_a_message(client, cast):
    client.force_login(cast.secretary.user)
    newcomer = make_member(cast.b1)
    response = client.post(
        reverse("branches:position_new", args=[cast.b1.pk]),
        {"member": newcomer.pk, "role": PositionRole.RECORDER, "start_date": "2026-07-01"},
    )
    assert response.status_code == 200
    assert "已有在任的积分记录员" in response.content.decode()
    assert not Position.objects.filter(member=newcomer).exists()


def test_it_refuses_a_member_outside_the_unit(client, cast):
    client.force_login(cast.secretary.user)
    response = client.post(
        reverse("branches:position_new", args=[cast.b1.pk]),
        {"member": cast.other_member.member.pk, "role": "committee_member", "start_date": "2026-07-01"},
    )
    assert response.status_code == 200
    assert not Position.objects.filter(member=cast.other_member.member).exists()


def test_it_answers_each_role(client, cast):
    url = reverse("branches:position_new", args=[cast.b1.pk])
    expected = {
        "dept": 200,
        "gb_secretary": 200,
        "secretary": 200,
        "recorder": 403,
        "committee_member": 403,
        "member": 403,
        "other_member": 404,
        "other_secretary": 404,
    }
    for role, status in expected.items():
        client.force_login(getattr(cast, role).user)
        assert client.get(url).status_code == status, role
    position = Position.objects.get(organization=cast.b1, role=PositionRole.RECORDER)
    end_url = reverse("branches:position_end", args=[position.pk])
    client.force_login(cast.other_secretary.user)
    assert client.post(end_url, {"end_date": "2026-01-01"}).status_code == 404
    client.force_login(cast.member.user)
    assert client.post(end_url, {"end_date": "2026-01-01"}).status_code == 403
    assert client.get(end_url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302
    position.refresh_from_db()
    assert position.end_date is None
