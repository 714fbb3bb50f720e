"""BranchVersion and the triggers that bump it: the score cache's invalidation lives in the database, so
that no write (a service, the admin, an import, a bulk update or raw SQL) can leave a stale score behind."""

from django.db import migrations, models

VERSION_TABLE = "points_branchversion"
# Tables whose rows carry a member: the branch is the member's.
BY_MEMBER = ("points_attendance", "points_duesrecord", "points_thoughtreport", "points_pointentry",
             "members_exemption")
# Tables whose rows carry the branch itself.
BY_BRANCH = ("points_session", "members_member")
# Tables that can change every branch's scores (schemes apply from a committee down; paths find them).
EVERYWHERE = ("points_schemeconfig", "branches_organization")
ALL = BY_MEMBER + BY_BRANCH + EVERYWHERE

# Versions come from a sequence, which a rollback does not rewind: a version once seen (and cached
# under) is never given to other data, even by a transaction that bumped it and then rolled back.
# Statement-level triggers with transition tables: a bulk write of thousands of rows bumps each branch
# once, its version rows locked in branch order.
POSTGRES_FUNCTIONS = f"""
CREATE SEQUENCE points_branchversion_seq;
CREATE FUNCTION points_bump_versions(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO {VERSION_TABLE} (branch_id, version)
  SELECT b, nextval('points_branchversion_seq')
  FROM (SELECT DISTINCT b FROM unnest(ids) AS b WHERE b IS NOT NULL ORDER BY b) AS touched
  ON CONFLICT (branch_id) DO UPDATE SET version = EXCLUDED.version
$$;
CREATE FUNCTION points_bump_by_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM points_bump_versions(ARRAY(
      SELECT m.branch_id FROM new_rows r JOIN members_member m ON m.id = r.member_id));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM points_bump_versions(ARRAY(
      SELECT m.branch_id FROM old_rows r JOIN members_member m ON m.id = r.member_id
      UNION SELECT m.branch_id FROM new_rows r JOIN members_member m ON m.id = r.member_id));
  ELSE
    PERFORM points_bump_versions(ARRAY(
      SELECT m.branch_id FROM old_rows r JOIN members_member m ON m.id = r.member_id));
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION points_bump_by_branch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM points_bump_versions(ARRAY(SELECT branch_id FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM points_bump_versions(ARRAY(SELECT branch_id FROM old_rows UNION SELECT branch_id FROM new_rows));
  ELSE
    PERFORM points_bump_versions(ARRAY(SELECT branch_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION points_bump_everywhere() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM points_bump_versions(ARRAY[0::bigint]);
  RETURN NULL;
END $$;
"""
POSTGRES_EVENTS = (
    ("ins", "INSERT", "REFERENCING NEW TABLE AS new_rows"),
    ("upd", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("del", "DELETE", "REFERENCING OLD TABLE AS old_rows"),
)


def _postgres_triggers() -> list[str]:
    sql = [POSTGRES_FUNCTIONS]
    for tables, function in ((BY_MEMBER, "points_bump_by_member"), (BY_BRANCH, "points_bump_by_branch")):
        for table in tables:
            for suffix, event, referencing in POSTGRES_EVENTS:
                sql.append(f"CREATE TRIGGER {table}_version_{suffix} AFTER {event} ON {table} {referencing} "
                           f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    for table in EVERYWHERE:
        sql.append(f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION points_bump_everywhere()")
    return sql


def _sqlite_bump(branch_expr: str) -> str:
    # SQLite has no sequence, and a counter would be rewound by a rollback: a version seen (and cached
    # under) inside a rolled-back transaction would then be handed to the next, different write. A random
    # 64-bit value is not rewound into reuse (a repeat is a one-in-2^64 chance).
    return (f"INSERT OR IGNORE INTO {VERSION_TABLE} (branch_id, version) SELECT b, 0 FROM (SELECT "
            f"{branch_expr} AS b) WHERE b IS NOT NULL; UPDATE {VERSION_TABLE} SET version = random() "
            f"WHERE branch_id = ({branch_expr});")


def _sqlite_triggers() -> list[str]:
    sql = []
    for table in ALL:
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            if table in BY_MEMBER:
                body = "".join(_sqlite_bump(f"(SELECT branch_id FROM members_member WHERE id = {r}.member_id)")
                               for r in rows)
            elif table in BY_BRANCH:
                body = "".join(_sqlite_bump(f"{r}.branch_id") for r in rows)
            else:
                body = _sqlite_bump("0")
            sql.append(f"CREATE TRIGGER {table}_version_{op.lower()} AFTER {op} ON {table} "
                       f"FOR EACH ROW BEGIN {body} END")
    return sql


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgres_triggers()
    elif vendor == "sqlite":
        statements = _sqlite_triggers()
    else:
        raise NotImplementedError(f"no score-version triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # CASCADE takes the triggers that use the functions.
        for function in ("points_bump_by_member()", "points_bump_by_branch()", "points_bump_everywhere()",
                         "points_bump_versions(bigint[])"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
        schema_editor.execute("DROP SEQUENCE IF EXISTS points_branchversion_seq")
        return
    for table in ALL:
        for op in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{op}")


class Migration(migrations.Migration):

    dependencies = [
        ("points", "0003_audit_chain"),
        ("members", "0002_security"),
        ("branches", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="BranchVersion",
            fields=[
                ("branch_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "数据版本",
                "verbose_name_plural": "数据版本",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
