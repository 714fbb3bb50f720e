from django.urls import reverse

from members.models import Member, MemberChange


def _post(client, member, **overrides):
    data = {
        "name": member.name,
        "gender": member.gender,
        "category": member.category,
        "join_date": "2015-07-01",
        "probation_start": "",
        "probation_end": "",
        "group": "",
        "mobile_destination": "",
        "activity_card_no": "",
        "phone": "13900000000",
        "reason": "更新联系电话",
    }
    data.update(overrides)
    return client.post(reverse("members:edit", args=[member.pk]), data)


def test_it_saves_a_change_with_its_history(client, cast):
    client.force_login(cast.secretary.user)
    member = cast.member.member
    response = _post(client, member)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "13900000000"
    change = MemberChange.objects.get(member=member, field="phone")
    assert (change.new_value, change.actor, change.reason) == (
        "13900000000",
        cast.secretary.user,
        "更新联系电话",
    )


def test_it_refuses_probationary_without_dates_and_changes_nothing(client, cast):
    client.force_login(cast.secretary.user)
    member = cast.member.member
    before = MemberChange.objects.count()
    response = _post(client, member, category="probationary")
    assert response.status_code == 200
    assert "预备期" in response.content.decode()
    assert Member.objects.get(pk=member.pk).category == "full"
    assert MemberChange.objects.count() == before


def test_it_refuses_a_group_of_another_branch(client, cast):
    from tests.factories import make_org

    other_group = make_org("别的小组", "group", cast.b3)
    client.force_login(cast.secretary.user)
    response = _post(client, cast.member.member, group=str(other_group.pk))
    assert response.status_code == 200
    assert Member.objects.get(pk=cast.member.member.pk).group == cast.group1


def test_it_answers_each_role(client, cast):
    url = reverse("members:edit", args=[cast.member.member.pk])
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
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(cast.secretary.user)
    assert client.put(url).status_code == 405
