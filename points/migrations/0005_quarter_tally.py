"""QuarterTally and the triggers that forget a tally whenever a record it counted changes."""

import django.db.models.deletion
from django.db import migrations, models



TALLY = "points_quartertally"

# Every statement that writes records of a member deletes the member's tallies that count them (a tally
# counts the year up to its quarter: the tallies of that quarter and the later ones), in the same transaction (statement-level triggers with transition tables on PostgreSQL, row triggers on
# SQLite). Sessions: a change of start, kind, hours or cancellation forgets the tallies of everyone who
# attended, for the old and the new quarter.
POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION points_tally_forget_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    DELETE FROM {TALLY} t USING new_rows r JOIN points_session s ON s.id = r.session_id
    WHERE t.member_id = r.member_id AND t.starts_at <= s.starts_at AND s.starts_at < t.ends_at;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM {TALLY} t USING old_rows r JOIN points_session s ON s.id = r.session_id
    WHERE t.member_id = r.member_id AND t.starts_at <= s.starts_at AND s.starts_at < t.ends_at;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION points_tally_forget_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {TALLY} t
  USING old_rows o JOIN new_rows n ON n.id = o.id JOIN points_attendance a ON a.session_id = o.id
  WHERE (o.starts_at, o.kind, o.hours, o.is_cancelled) IS DISTINCT FROM (n.starts_at, n.kind, n.hours, n.is_cancelled)
    AND t.member_id = a.member_id
    AND ((t.starts_at <= o.starts_at AND o.starts_at < t.ends_at)
         OR (t.starts_at <= n.starts_at AND n.starts_at < t.ends_at));
  RETURN NULL;
END $$;
CREATE FUNCTION points_tally_forget_new_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Attendance written before its session (foreign keys are checked at commit: fixtures, imports).
  DELETE FROM {TALLY} t USING new_rows n JOIN points_attendance a ON a.session_id = n.id
  WHERE t.member_id = a.member_id AND t.starts_at <= n.starts_at AND n.starts_at < t.ends_at;
  RETURN NULL;
END $$;
CREATE FUNCTION points_tally_forget_dues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    DELETE FROM {TALLY} t USING new_rows r
    WHERE t.member_id = r.member_id AND t.year = r.year AND t.quarter >= (r.month + 2) / 3;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM {TALLY} t USING old_rows r
    WHERE t.member_id = r.member_id AND t.year = r.year AND t.quarter >= (r.month + 2) / 3;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION points_tally_forget_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    DELETE FROM {TALLY} t USING new_rows r
    WHERE t.member_id = r.member_id AND t.year = extract(year FROM r.received_on)
      AND t.quarter >= extract(quarter FROM r.received_on);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM {TALLY} t USING old_rows r
    WHERE t.member_id = r.member_id AND t.year = extract(year FROM r.received_on)
      AND t.quarter >= extract(quarter FROM r.received_on);
  END IF;
  RETURN NULL;
END $$;
"""
EVENTS = (
    ("ins", "INSERT", "REFERENCING NEW TABLE AS new_rows"),
    ("upd", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("del", "DELETE", "REFERENCING OLD TABLE AS old_rows"),
)
RECORDS = (
    ("points_attendance", "points_tally_forget_attendance"),
    ("points_duesrecord", "points_tally_forget_dues"),
    ("points_thoughtreport", "points_tally_forget_report"),
)
FUNCTIONS = ("points_tally_forget_attendance", "points_tally_forget_session", "points_tally_forget_new_session",
             "points_tally_forget_dues", "points_tally_forget_report")


def _postgres() -> list[str]:
    sql = [POSTGRES_FUNCTIONS]
    for table, function in RECORDS:
        for suffix, event, referencing in EVENTS:
            sql.append(f"CREATE TRIGGER {table}_tally_{suffix} AFTER {event} ON {table} {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    sql.append("CREATE TRIGGER points_session_tally_upd AFTER UPDATE ON points_session "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION points_tally_forget_session()")
    sql.append("CREATE TRIGGER points_session_tally_ins AFTER INSERT ON points_session "
               "REFERENCING NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION points_tally_forget_new_session()")
    return sql


def _sqlite_forget(table: str, r: str) -> str:
    if table == "points_attendance":
        at = f"(SELECT starts_at FROM points_session WHERE id = {r}.session_id)"
        return (f"DELETE FROM {TALLY} WHERE member_id = {r}.member_id "
                f"AND starts_at <= {at} AND {at} < ends_at;")
    if table == "points_duesrecord":
        return (f"DELETE FROM {TALLY} WHERE member_id = {r}.member_id AND year = {r}.year "
                f"AND quarter >= ({r}.month + 2) / 3;")
    return (f"DELETE FROM {TALLY} WHERE member_id = {r}.member_id "
            f"AND year = CAST(strftime('%Y', {r}.received_on) AS INTEGER) "
            f"AND quarter >= (CAST(strftime('%m', {r}.received_on) AS INTEGER) + 2) / 3;")


def _sqlite() -> list[str]:
    sql = []
    for table, _ in RECORDS:
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            body = "".join(_sqlite_forget(table, r) for r in rows)
            sql.append(f"CREATE TRIGGER {table}_tally_{op.lower()} AFTER {op} ON {table} "
                       f"FOR EACH ROW BEGIN {body} END")
    attended = "member_id IN (SELECT member_id FROM points_attendance WHERE session_id = OLD.id)"
    sql.append(
        "CREATE TRIGGER points_session_tally_update AFTER UPDATE OF starts_at, kind, hours, is_cancelled "
        f"ON points_session FOR EACH ROW BEGIN DELETE FROM {TALLY} WHERE {attended} AND "
        "((starts_at <= OLD.starts_at AND OLD.starts_at < ends_at) OR "
        "(starts_at <= NEW.starts_at AND NEW.starts_at < ends_at)); END"
    )
    sql.append(
        f"CREATE TRIGGER points_session_tally_insert AFTER INSERT ON points_session FOR EACH ROW BEGIN "
        f"DELETE FROM {TALLY} WHERE member_id IN (SELECT member_id FROM points_attendance WHERE session_id = NEW.id) "
        "AND starts_at <= NEW.starts_at AND NEW.starts_at < ends_at; END"
    )
    return sql


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgres()
    elif vendor == "sqlite":
        statements = _sqlite()
    else:
        raise NotImplementedError(f"no tally triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for function in FUNCTIONS:  # CASCADE takes the triggers that use them
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
        return
    for table, _ in RECORDS:
        for op in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_tally_{op}")
    schema_editor.execute("DROP TRIGGER IF EXISTS points_session_tally_update")
    schema_editor.execute("DROP TRIGGER IF EXISTS points_session_tally_insert")


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_security'),
        ('points', '0004_branch_version'),
    ]

    operations = [
        migrations.CreateModel(
            name='QuarterTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('quarter', models.PositiveSmallIntegerField(verbose_name='季度')),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('org_life_required', models.PositiveIntegerField(default=0)),
                ('org_life_attended', models.PositiveIntegerField(default=0)),
                ('org_life_late', models.PositiveIntegerField(default=0)),
                ('org_life_excused', models.PositiveIntegerField(default=0)),
                ('meetings_required', models.PositiveIntegerField(default=0)),
                ('meetings_attended', models.PositiveIntegerField(default=0)),
                ('meetings_late', models.PositiveIntegerField(default=0)),
                ('meetings_excused', models.PositiveIntegerField(default=0)),
                ('study_hours', models.DecimalField(decimal_places=1, default=0, max_digits=7)),
                ('dues_on_time', models.PositiveIntegerField(default=0)),
                ('thought_reports', models.PositiveIntegerField(default=0)),
                ('stored_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.member')),
            ],
            options={
                'verbose_name': '季度记录汇总',
                'verbose_name_plural': '季度记录汇总',
                'constraints': [models.UniqueConstraint(fields=('member', 'year', 'quarter'), name='tally_one_per_quarter'), models.CheckConstraint(condition=models.Q(('quarter__gte', 1), ('quarter__lte', 4)), name='tally_quarter')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
