from django.urls import reverse

from tests.factories import make_member


def test_it_shows_the_roster_to_the_secretary(client, cast):
    client.force_login(cast.secretary.user)
    response = client.get(reverse("branches:unit", args=[cast.b1.pk]))
    assert response.status_code == 200
    assert "普通党员" in response.content.decode()


def test_it_hides_the_roster_from_a_plain_member(client, cast):
    client.force_login(cast.member.user)
    response = client.get(reverse("branches:unit", args=[cast.b1.pk]))
    assert response.status_code == 200
    assert response.context["members"] is None
    assert 'class="table roster"' not in response.content.decode()


def _roster_queries(client, cast, django_assert_num_queries, extra):
    for _ in range(extra):
        make_member(cast.b1)
    client.force_login(cast.secretary.user)
    url = reverse("branches:unit", args=[cast.b1.pk])
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_it_runs_the_same_queries_for_5_and_200_members(client, cast, django_assert_num_queries):
    few, _ = _roster_queries(client, cast, django_assert_num_queries, 1)  # the cast has 4 in b1 → 5
    many, response = _roster_queries(client, cast, django_assert_num_queries, 195)
    assert len(response.context["members"]) == 200
    assert few == many
