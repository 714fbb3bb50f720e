from django.db import connection

from points.audit import verify_chain
from points.models import Transition


def test_it_seals_a_batch_exactly_as_one_create_each(db):
    Transition.objects.create(subject_type="quarter", subject_id=1, to_state="open")
    batch = Transition.objects.create_many(
        Transition(subject_type="filing", subject_id=n, to_state="rolled_up", reason=f"第{n}个")
        for n in range(5)
    )
    Transition.objects.create(subject_type="quarter", subject_id=1, from_state="open", to_state="in_review")
    report = verify_chain(Transition)
    assert report.ok and report.rows == 7
    assert all(t.pk for t in batch)
    stored = list(Transition.objects.order_by("pk").values_list("chain_prev", "chain_hash"))
    assert all(prev == before[1] for (prev, _), before in zip(stored[1:], stored, strict=False))


def test_it_still_catches_a_raw_edit_inside_a_batch(db):
    batch = Transition.objects.create_many(
        Transition(subject_type="filing", subject_id=n, to_state="rolled_up") for n in range(3)
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE points_transition SET reason = 'x' WHERE id = %s", [batch[1].pk])
    report = verify_chain(Transition)
    assert not report.ok and report.broken_at == batch[1].pk


def test_it_creates_nothing_for_an_empty_batch(db):
    assert Transition.objects.create_many([]) == []
    assert not Transition.objects.exists()


def test_it_seals_a_batch_with_one_update_per_seal_batch_rows(db, monkeypatch):
    from points import audit

    monkeypatch.setattr(audit, "SEAL_BATCH", 2)
    updates = []

    def spy(execute, sql, params, many, context):
        if sql.startswith("UPDATE"):
            updates.append(many)
        return execute(sql, params, many, context)

    Transition.objects.create(subject_type="quarter", subject_id=1, to_state="open")
    with connection.execute_wrapper(spy):
        Transition.objects.create_many(
            Transition(subject_type="filing", subject_id=n, to_state="rolled_up") for n in range(5)
        )
    assert updates == [False, False, False]  # 2 + 2 + 1 rows, one statement each, not one per row
    report = verify_chain(Transition)
    assert report.ok and report.rows == 6
