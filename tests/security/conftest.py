from decimal import Decimal

import pytest
from django.urls import reverse

from points.models import EntryType, PointEntry
from points.services import workflow

PASSWORD = "pass-for-tests-2026"  # tests/factories.py


@pytest.fixture
def attempt(client):
    """attempt("member", "wrong", ip="10.0.0.1") → the login page's response to one POST."""

    def _attempt(username, password, *, ip="127.0.0.1", url=None):
        return client.post(
            url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    return _attempt


@pytest.fixture(autouse=True)
def _heads_log(settings, tmp_path):
    """Each test its own audit heads log (a backup appends to it, verify_audit reads it)."""
    settings.AUDIT_HEADS_LOG = tmp_path / "audit-heads.jsonl"
    return settings.AUDIT_HEADS_LOG


@pytest.fixture
def add_entries(cast):
    """add_entries(3) → three more ledger entries (bonus 1, 2, 3) in branch 1's 2025 Q1."""
    quarter = workflow.quarter_open(branch=cast.b1, year=2025, number=1, actor=cast.secretary.user)

    def _add(count):
        return [
            PointEntry.objects.create(
                quarter=quarter,
                member=cast.member.member,
                entry_type=EntryType.BONUS,
                kind="volunteer",
                value=Decimal(n),
                reason=f"第{n}次志愿服务",
                created_by=cast.secretary.user,
            )
            for n in range(1, count + 1)
        ]

    return _add
