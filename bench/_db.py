"""What the PostgreSQL benches share: a database of their own, dropped and created afresh."""


def recreate_database() -> None:
    """Drop and create the configured database through the maintenance database `postgres`."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    params = settings.DATABASES["default"]
    name = params["NAME"]
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    connection.close()
