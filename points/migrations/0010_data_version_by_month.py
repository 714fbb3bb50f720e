"""Score-cache versions per branch *and month* (DataVersion) instead of per branch (BranchVersion).

A recorder's attendance of today's session changed the version of the whole branch, so the branch's
year-to-date scores of the quarters already complete (the home page's low-score warning, the review
pages, a member's year page) were computed again, though nothing they count had changed. Each write now
bumps the versions of the months its rows are dated in, plus the branch's ANY row; a cached value is
keyed by the rows of exactly what it reads (points/selectors/cached.py).

Periods (DataVersion.period):
    -1              ANY: bumped with every write to the branch, for values that read anything;
     0              UNDATED: the roster (members_member) and rows whose date cannot be found;
    year * 100      the whole year (an exemption);
    year * 100 + m  month m: attendance and sessions by the session's start, dues by their month, thought
                    reports by the day received, point entries by the last month of their quarter.

A session's start is a moment; its month depends on the time zone the site runs in, which the database
does not know (and settings may change). Both months a moment can fall in, anywhere on Earth (UTC-12h and
UTC+14h), are bumped: the same month nearly always, two near a month's edge.

Branch 0 stays the row every branch depends on (schemes, the organization tree), at period 0.
"""

import importlib

from django.db import migrations, models

initial_versions = importlib.import_module("points.migrations.0004_branch_version")

TABLE = "points_dataversion"
ANY, UNDATED = -1, 0


def _pg_month(moment: str) -> str:
    return (
        f"COALESCE((extract(year FROM ({moment}) AT TIME ZONE 'UTC') * 100 "
        f"+ extract(month FROM ({moment}) AT TIME ZONE 'UTC'))::integer, {UNDATED})"
    )


def _pg_both_months(starts_at: str) -> str:
    earliest = _pg_month(starts_at + " - interval '12 hours'")
    latest = _pg_month(starts_at + " + interval '14 hours'")
    return f"CROSS JOIN LATERAL (VALUES ({earliest}), ({latest})) AS months(p)"


# (table, the (branch, period) pairs its rows {rows} touch) — PostgreSQL.
MEMBER_BRANCH = "JOIN members_member m ON m.id = r.member_id"
POSTGRES_PAIRS = {
    "points_attendance": (
        f"SELECT m.branch_id AS b, months.p AS p FROM {{rows}} r {MEMBER_BRANCH} "
        f"LEFT JOIN points_session s ON s.id = r.session_id {_pg_both_months('s.starts_at')}"
    ),
    "points_duesrecord": f"SELECT m.branch_id AS b, r.year * 100 + r.month AS p FROM {{rows}} r {MEMBER_BRANCH}",
    "points_thoughtreport": (
        "SELECT m.branch_id AS b, (extract(year FROM r.received_on) * 100 + extract(month FROM r.received_on))"
        f"::integer AS p FROM {{rows}} r {MEMBER_BRANCH}"
    ),
    "points_pointentry": (
        f"SELECT m.branch_id AS b, COALESCE(q.year * 100 + q.number * 3, {UNDATED}) AS p FROM {{rows}} r "
        f"{MEMBER_BRANCH} LEFT JOIN points_quarter q ON q.id = r.quarter_id"
    ),
    "members_exemption": f"SELECT m.branch_id AS b, r.year * 100 AS p FROM {{rows}} r {MEMBER_BRANCH}",
    # A session's branch, and the branches of the members who attended it: records follow a member who
    # moves to another branch, so a session's change (cancelled, moved, another kind) counts there too.
    "points_session": (
        f"SELECT r.branch_id AS b, months.p AS p FROM {{rows}} r {_pg_both_months('r.starts_at')} "
        "UNION SELECT m.branch_id AS b, months.p AS p FROM {rows} r "
        "JOIN points_attendance a ON a.session_id = r.id JOIN members_member m ON m.id = a.member_id "
        f"{_pg_both_months('r.starts_at')}"
    ),
    "members_member": f"SELECT r.branch_id AS b, {UNDATED} AS p FROM {{rows}} r",
}
EVERYWHERE = ("points_schemeconfig", "branches_organization")

# Versions come from a sequence, which a rollback does not rewind (see 0004). Rows locked in (branch,
# period) order; every branch touched also gets its ANY row bumped.
POSTGRES_FUNCTIONS = f"""
CREATE SEQUENCE points_dataversion_seq;
-- Above any version 0004's sequence (or an earlier run of this migration, migrated back since) gave out,
-- which a worker still running may hold cached values under: microseconds since 1970.
SELECT setval('points_dataversion_seq', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
CREATE FUNCTION points_bump_data_versions(branches bigint[], periods integer[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO {TABLE} (branch_id, period, version)
  SELECT b, p, nextval('points_dataversion_seq')
  FROM (
    SELECT DISTINCT b, p FROM (
      SELECT t.b, t.p FROM unnest(branches, periods) AS t(b, p)
      UNION ALL SELECT u.b, {ANY} FROM unnest(branches) AS u(b)
    ) AS pairs WHERE b IS NOT NULL AND p IS NOT NULL ORDER BY b, p
  ) AS touched
  ON CONFLICT (branch_id, period) DO UPDATE SET version = EXCLUDED.version
$$;
CREATE FUNCTION points_bump_everywhere_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM points_bump_data_versions(ARRAY[0::bigint], ARRAY[{UNDATED}]);
  RETURN NULL;
END $$;
"""
EVENTS = (
    ("ins", "INSERT", "REFERENCING NEW TABLE AS new_rows", ("new_rows",)),
    ("upd", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", ("old_rows", "new_rows")),
    ("del", "DELETE", "REFERENCING OLD TABLE AS old_rows", ("old_rows",)),
)


def _postgres_statements() -> list[str]:
    sql = [POSTGRES_FUNCTIONS]
    for table, pairs in POSTGRES_PAIRS.items():
        for suffix, event, referencing, transition in EVENTS:
            function = f"points_bump_{table}_{suffix}"
            union = " UNION ".join(pairs.format(rows=rows) for rows in transition)
            sql.append(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                "DECLARE bs bigint[]; ps integer[];\n"
                f"BEGIN\n  SELECT array_agg(b), array_agg(p) INTO bs, ps FROM ({union}) AS touched;\n"
                "  IF bs IS NOT NULL THEN PERFORM points_bump_data_versions(bs, ps); END IF;\n"
                "  RETURN NULL;\nEND $$"
            )
            sql.append(
                f"CREATE TRIGGER {table}_dataversion_{suffix} AFTER {event} ON {table} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    for table in EVERYWHERE:
        sql.append(
            f"CREATE TRIGGER {table}_dataversion AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION points_bump_everywhere_data()"
        )
    return sql


def _postgres_drop() -> list[str]:
    functions = [f"points_bump_{table}_{suffix}()" for table in POSTGRES_PAIRS for suffix, *_ in EVENTS]
    functions += ["points_bump_everywhere_data()", "points_bump_data_versions(bigint[], integer[])"]
    # CASCADE takes the triggers that use the functions.
    return [f"DROP FUNCTION IF EXISTS {f} CASCADE" for f in functions] + [
        "DROP SEQUENCE IF EXISTS points_dataversion_seq"
    ]


# SQLite: row-level triggers; a version is a random 64-bit value (see 0004). Each pair is (branch
# expression, period expression) of one row, NEW or OLD.
def _sqlite_month(moment: str, shift: str) -> str:
    return f"CAST(strftime('%Y%m', {moment}, '{shift}') AS INTEGER)"


def _sqlite_pairs(table: str, r: str) -> list[tuple[str, str]]:
    member_branch = f"(SELECT branch_id FROM members_member WHERE id = {r}.member_id)"
    if table == "points_attendance":
        start = f"(SELECT starts_at FROM points_session WHERE id = {r}.session_id)"
        return [
            (member_branch, f"COALESCE({_sqlite_month(start, shift)}, {UNDATED})")
            for shift in ("-12 hours", "+14 hours")
        ]
    if table == "points_session":
        return [
            (f"{r}.branch_id", f"COALESCE({_sqlite_month(r + '.starts_at', shift)}, {UNDATED})")
            for shift in ("-12 hours", "+14 hours")
        ]
    if table == "points_duesrecord":
        return [(member_branch, f"{r}.year * 100 + {r}.month")]
    if table == "points_thoughtreport":
        return [(member_branch, f"CAST(strftime('%Y%m', {r}.received_on) AS INTEGER)")]
    if table == "points_pointentry":
        quarter = f"(SELECT year * 100 + number * 3 FROM points_quarter WHERE id = {r}.quarter_id)"
        return [(member_branch, f"COALESCE({quarter}, {UNDATED})")]
    if table == "members_exemption":
        return [(member_branch, f"{r}.year * 100")]
    if table == "members_member":
        return [(f"{r}.branch_id", str(UNDATED))]
    return [("0", str(UNDATED))]  # EVERYWHERE


def _sqlite_bump(branch: str, period: str) -> str:
    return (
        f"INSERT OR IGNORE INTO {TABLE} (branch_id, period, version) SELECT b, p, 0 FROM (SELECT "
        f"{branch} AS b, {period} AS p) WHERE b IS NOT NULL AND p IS NOT NULL; "
        f"UPDATE {TABLE} SET version = random() WHERE branch_id = ({branch}) AND period = ({period}); "
    )


def _sqlite_bump_attendees(session: str) -> str:
    """The branches of the members who attended `session` (NEW or OLD), in the session's months and ANY."""
    attendees = (
        f"SELECT m.branch_id FROM points_attendance a JOIN members_member m ON m.id = a.member_id "
        f"WHERE a.session_id = {session}.id"
    )
    sql = ""
    for shift in ("-12 hours", "+14 hours", None):
        period = f"COALESCE({_sqlite_month(session + '.starts_at', shift)}, {UNDATED})" if shift else str(ANY)
        sql += (
            f"INSERT OR IGNORE INTO {TABLE} (branch_id, period, version) SELECT DISTINCT branch_id, "
            f"{period}, 0 FROM ({attendees}); "
            f"UPDATE {TABLE} SET version = random() WHERE period = ({period}) AND branch_id IN ({attendees}); "
        )
    return sql


def _sqlite_statements() -> list[str]:
    sql = []
    for table in (*POSTGRES_PAIRS, *EVERYWHERE):
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            body = ""
            for r in rows:
                pairs = _sqlite_pairs(table, r)
                branches = {b for b, _ in pairs}
                body += "".join(_sqlite_bump(b, p) for b, p in pairs)
                body += "".join(_sqlite_bump(b, str(ANY)) for b in sorted(branches))
                if table == "points_session":
                    body += _sqlite_bump_attendees(r)
            sql.append(
                f"CREATE TRIGGER {table}_dataversion_{op.lower()} AFTER {op} ON {table} "
                f"FOR EACH ROW BEGIN {body} END"
            )
    return sql


def _sqlite_drop() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_dataversion_{op}"
        for table in (*POSTGRES_PAIRS, *EVERYWHERE)
        for op in ("insert", "update", "delete")
    ]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in ("postgresql", "sqlite"):
            raise NotImplementedError(f"no score-version triggers for {vendor}")
        for statement in statements(vendor):
            schema_editor.execute(statement)

    return run


create_triggers = _run(
    lambda vendor: _postgres_statements() if vendor == "postgresql" else _sqlite_statements()
)
drop_triggers = _run(lambda vendor: _postgres_drop() if vendor == "postgresql" else _sqlite_drop())


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0009_annual_result_filing_check"),
        ("members", "0002_security"),
    ]

    operations = [
        migrations.RunPython(initial_versions.drop_triggers, initial_versions.create_triggers),
        migrations.DeleteModel(name="BranchVersion"),
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("branch_id", models.BigIntegerField()),
                ("period", models.IntegerField()),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "数据版本",
                "verbose_name_plural": "数据版本",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("branch_id", "period"), name="points_dataversion_branch_period"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
