"""A second PostgreSQL connection to the test database, outside Django: another worker, a migration or a
concurrent transaction as the tests need one."""

import psycopg
from django.db import connection


def other_connection(dbname: str | None = None, **kwargs) -> psycopg.Connection:
    """A connection to the test database (or to `dbname` on the same server)."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"],
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"],
        dbname=dbname or s["NAME"],
        **kwargs,
    )
