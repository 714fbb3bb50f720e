"""On PostgreSQL, AnnualResult.filing is checked once per statement instead of once per row.

A committee's roll-up writes 10,000 results that point at its ~170 filings. PostgreSQL checks a foreign
key row by row: each of the 10,000 checks runs its own lookup of the filing and locks it again, 55-75 ms
of the database's time for the roll-up's results (bench/workflow.py, more than the member key's 31 ms).
Here the foreign key is replaced by triggers that keep the same promise, set-based:

* writing results (INSERT, UPDATE): after each statement, the filings it names are locked FOR KEY SHARE,
  as the foreign key's own check locks them, so that none can be deleted until the transaction ends,
  and a filing that does not exist is refused with the foreign key's error (SQLSTATE 23503);
* deleting a filing, or changing its id, while results point at it is refused with the same error; the
  delete's check runs after the filing's row is locked, so it waits for a transaction that is writing
  results for it and then sees them;
* TRUNCATE of the filings alone while results exist is refused (truncating both tables together, as
  a test database's flush does, is not);
* those three are refused outright in a REPEATABLE READ or SERIALIZABLE transaction (SQLSTATE 40001):
  its snapshot cannot see results another transaction committed for the filing after it began, which a
  foreign key's own check would still find. The app runs READ COMMITTED, and never deletes filings.

The check runs at the end of each statement, not at COMMIT as Django's deferred foreign keys are: the
roll-up creates the filings before their results (a fixture must list filings before their results). Django still refuses to delete a filing with results
(on_delete=PROTECT). SQLite keeps the foreign key itself: its checks are not the bottleneck there.
"""

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION points_annualfiling_read_committed() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'annual filings are deleted, renumbered or truncated only in READ COMMITTED transactions'
      USING ERRCODE = 'serialization_failure',
            DETAIL = 'The check for their results must see results committed after the transaction began.';
  END IF;
END $$;

CREATE FUNCTION points_annualresult_filing_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  wanted bigint;
  found bigint;
BEGIN
  SELECT count(DISTINCT filing_id) INTO wanted FROM new_rows;
  SELECT count(*) INTO found FROM (
    SELECT 1 FROM points_annualfiling f WHERE f.id IN (SELECT filing_id FROM new_rows) FOR KEY SHARE OF f
  ) AS locked;
  IF found <> wanted THEN
    RAISE EXCEPTION 'insert or update on table "points_annualresult" violates foreign key "annual_result_filing"'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = 'A result points at an annual filing that does not exist.';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION points_annualfiling_referenced_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM points_annualfiling_read_committed();
  IF EXISTS (SELECT 1 FROM points_annualresult WHERE filing_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "points_annualfiling" violates foreign key "annual_result_filing"'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = 'Annual filing ' || OLD.id || ' still has results.';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION points_annualfiling_truncate_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM points_annualfiling_read_committed();
  IF EXISTS (SELECT 1 FROM points_annualresult) THEN
    RAISE EXCEPTION 'cannot truncate "points_annualfiling": annual results point at its filings'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER points_annualresult_filing_ins AFTER INSERT ON points_annualresult
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION points_annualresult_filing_check();
CREATE TRIGGER points_annualresult_filing_upd AFTER UPDATE ON points_annualresult
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION points_annualresult_filing_check();
CREATE TRIGGER points_annualfiling_referenced_del AFTER DELETE ON points_annualfiling
  FOR EACH ROW EXECUTE FUNCTION points_annualfiling_referenced_check();
CREATE TRIGGER points_annualfiling_referenced_upd AFTER UPDATE OF id ON points_annualfiling
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION points_annualfiling_referenced_check();
CREATE TRIGGER points_annualfiling_truncate AFTER TRUNCATE ON points_annualfiling
  FOR EACH STATEMENT EXECUTE FUNCTION points_annualfiling_truncate_check();
"""

DROP = """
DROP FUNCTION IF EXISTS points_annualresult_filing_check() CASCADE;
DROP FUNCTION IF EXISTS points_annualfiling_referenced_check() CASCADE;
DROP FUNCTION IF EXISTS points_annualfiling_truncate_check() CASCADE;
DROP FUNCTION IF EXISTS points_annualfiling_read_committed();
"""


def _filing_foreign_keys(schema_editor) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "points_annualresult")
    return [
        name
        for name, c in constraints.items()
        if c["foreign_key"] and c["foreign_key"][0] == "points_annualfiling" and c["columns"] == ["filing_id"]
    ]


def check_by_statement(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for name in _filing_foreign_keys(schema_editor):
        schema_editor.execute(f"ALTER TABLE points_annualresult DROP CONSTRAINT {quote(name)}")
    schema_editor.execute(FUNCTIONS)
    schema_editor.execute(TRIGGERS)


def check_by_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)
    schema_editor.execute(
        "ALTER TABLE points_annualresult ADD CONSTRAINT points_annualresult_filing_id_fk_points_annualfiling_id "
        "FOREIGN KEY (filing_id) REFERENCES points_annualfiling (id) DEFERRABLE INITIALLY DEFERRED"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0008_annual_result_json_text"),
    ]

    operations = [migrations.RunPython(check_by_statement, check_by_row)]
