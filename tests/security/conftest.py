import pytest
from django.urls import reverse

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
