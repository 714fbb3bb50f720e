from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from members.models import ExemptionReason, ExemptionTransition
from members.services import exemption_apply
from points.audit import CHAINED_FIELDS, UNCHAINED_FIELDS, chained_models, verify_chain
from points.models import PointEntry, Transition
from tests.concurrency import at_once


@pytest.fixture
def entries(add_entries):
    return add_entries(3)


def _verify():
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _broken():
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=out)
    return out.getvalue() + str(failure.value)


def test_it_chains_each_new_entry_to_the_one_before(entries):
    first, second, third = entries
    assert first.chain_prev == "" and len(first.chain_hash) == 64
    assert second.chain_prev == first.chain_hash
    assert third.chain_prev == second.chain_hash
    assert "OK points.PointEntry：3 行" in _verify()


def test_it_catches_an_entry_changed_with_raw_sql(entries):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE points_pointentry SET value = 9.0 WHERE id = %s", [entries[1].pk])
    report = _broken()
    assert f"BROKEN points.PointEntry：id={entries[1].pk} 该行内容在应用之外被修改" in report


def test_it_catches_an_entry_deleted_with_raw_sql(entries):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM points_pointentry WHERE id = %s", [entries[1].pk])
    report = _broken()
    assert f"BROKEN points.PointEntry：id={entries[2].pk} 该行之前的记录被删除或替换" in report


def test_it_catches_a_transition_changed_with_raw_sql(entries):
    transition = Transition.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE points_transition SET actor_id = NULL WHERE id = %s", [transition.pk])
    assert f"points.Transition：id={transition.pk}" in _broken()


def test_it_chains_exemption_transitions(cast):
    exemption_apply(
        member=cast.member.member,
        year=2025,
        reason=ExemptionReason.AWAY,
        detail="外派一年",
        actor=cast.member.user,
    )
    row = ExemptionTransition.objects.get()
    assert row.chain_hash
    with connection.cursor() as cursor:
        cursor.execute("UPDATE members_exemptiontransition SET reason = 'x' WHERE id = %s", [row.pk])
    assert f"members.ExemptionTransition：id={row.pk}" in _broken()


def test_it_lets_the_correcting_service_retire_an_entry(entries):
    # is_current is the one field the ledger changes in place (points/services/workflow.py::_correct).
    PointEntry.objects.filter(pk=entries[0].pk).update(is_current=False)
    assert "审计链完好" in _verify()


def test_it_refuses_bulk_create(entries):
    with pytest.raises(TypeError, match="bulk_create"):
        PointEntry.objects.bulk_create([PointEntry(quarter=entries[0].quarter, member=entries[0].member)])


def test_it_covers_every_field_or_says_why_not():
    for model in chained_models():
        label = model._meta.label
        columns = {field.attname for field in model._meta.concrete_fields}
        decided = set(CHAINED_FIELDS[label]) | set(UNCHAINED_FIELDS[label])
        assert columns == decided, (
            f"{label}: new fields {columns - decided} must be listed in points/audit.py UNCHAINED_FIELDS "
            "(adding them to CHAINED_FIELDS would invalidate every hash already written)"
        )


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_under_concurrent_writers(cast):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer; the advisory lock matters on PostgreSQL")

    def write(n):
        for i in range(10):
            Transition.objects.create(subject_type="quarter", subject_id=n, to_state=f"s{i}")

    errors = [o for o in at_once(4, write) if o != "ok"]
    assert not errors
    report = verify_chain(Transition)
    assert report.ok and report.rows == 40, report.problem
