"""A migration that changes a column under a running worker leaves its prepared statements stale
(settings: DB_PREPARE_THRESHOLD): the request that meets one fails, and the worker reconnects instead of
failing the same way on every request until its connection grows old."""

import pytest
from django.db import connection, connections  # noqa: F401 — connection: the skipif condition reads it
from django.test import Client
from django.urls import reverse

from tests.pg import other_connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="prepared statements are PostgreSQL's"),
]


def _migrate(sql: str) -> None:
    """Run `sql` as `manage.py migrate` would: from another connection."""
    with other_connection(autocommit=True) as other:
        other.execute(sql)


def test_a_worker_reconnects_after_a_migration_made_its_prepared_statements_stale(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.member.user)
    url = reverse("home")
    for _ in range(6):  # every request reads the account's security row: prepared from the 5th
        assert client.get(url).status_code == 200
    # The session middleware's own query (outside any view) reads this column.
    _migrate("ALTER TABLE members_accountsecurity ALTER COLUMN session_epoch TYPE bigint")
    try:
        assert client.get(url).status_code == 500  # the statement prepared before the change
        assert client.get(url).status_code == 200  # a new connection, its statements prepared anew
        assert client.get(url).status_code == 200
    finally:
        _migrate("ALTER TABLE members_accountsecurity ALTER COLUMN session_epoch TYPE integer")
        connections.close_all()  # nothing stale left for the tests after this one
