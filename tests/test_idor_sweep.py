"""IDOR sweep (issue 7): every URL that takes an object id, tried by every role of the cast whose
scope does not include branch b3, against objects of b3. Each must answer 404 — not 403, which would
confirm the object exists, and never 200.

The sweep enumerates the URL configuration itself, so a new URL with an id fails here until it is
given an object below.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone

from branches.models import Position, PositionRole
from members.models import Exemption
from points.models import (
    AnnualFiling,
    AnnualResult,
    Declaration,
    MobileEvidence,
    Objection,
    PointEntry,
    Quarter,
    Session,
    ThoughtReport,
)
from study import services as study_services
from study.models import Inspection, RescheduleNotice, StudyAttachment
from tests.study.conftest import content

OUTSIDERS = ["gb_secretary", "secretary", "recorder", "committee_member", "member"]

# Committee-wide documents, not a branch's: every member of the committee reads published ones.
NOT_BRANCH_SCOPED = {
    "study:arrangement_detail",
    "study:arrangement_edit",
    "study:arrangement_publish",
    "study:arrangement_revisions",
    "study:arrangement_pdf",
    "study:session_new",
    "study:reading_file",
}


def _id_urls():
    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and "<int:" in str(p.pattern):
                yield f"{namespace}:{p.name}"

    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.fixture
def b3(cast):
    other = cast.other_member.member
    now = timezone.now()
    session = Session.objects.create(
        branch=cast.b3,
        kind="activity_day",
        title="主题党日",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=2),
        signin_secret="s" * 64,
    )
    quarter = Quarter.objects.create(
        branch=cast.b3, year=2025, number=1, state="published", publicity_end=datetime.date(2025, 4, 10)
    )
    declaration = Declaration.objects.create(
        quarter=quarter,
        declarant=other,
        subject=other,
        entry_type="bonus",
        kind="public_welfare",
        value=1,
        occurred_on=datetime.date(2025, 2, 1),
        description="公益",
        state="submitted",
        evidence=ContentFile(b"%PDF-1.4\n", name="e.pdf"),
    )
    entry = PointEntry.objects.create(
        quarter=quarter, member=other, entry_type="bonus", kind="public_welfare", value=1, reason="公益"
    )
    filing = AnnualFiling.objects.create(branch=cast.b3, year=2025, scheme={}, state="submitted")
    result = AnnualResult.objects.create(filing=filing, member=other, category="full")
    arrangement = study_services.arrangement_create(
        committee=cast.committee, content=content(), actor=cast.dept.user
    )
    arrangement = study_services.arrangement_publish(arrangement=arrangement, actor=cast.dept.user)
    start = now + datetime.timedelta(days=10)
    study_session = study_services.study_session_plan(
        arrangement=arrangement,
        branch=cast.b3,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        venue="活动室",
        format="集中学习",
        hours=2,
        actor=cast.other_secretary.user,
    )
    attachment = StudyAttachment.objects.create(
        study_session=study_session,
        file=ContentFile(b"x", name="a.pdf"),
        content_type="application/pdf",
        original_name="a.pdf",
        size=1,
    )
    notice = RescheduleNotice.objects.create(
        study_session=study_session,
        old_starts_at=start,
        old_ends_at=start + datetime.timedelta(hours=2),
        new_starts_at=start,
        new_ends_at=start + datetime.timedelta(hours=2),
        new_venue="会议室",
        new_format="线上",
        reason="调整",
        submitted_at=now,
    )
    inspection = Inspection.objects.create(
        branch=cast.b3,
        kind="periodic",
        inspected_on=datetime.date(2025, 5, 1),
        inspector_name="检查人",
        rating="good",
    )
    pk = {
        "org": cast.b3.pk,
        "member": other.pk,
        "position": Position.objects.get(organization=cast.b3, role=PositionRole.SECRETARY).pk,
        "exemption": Exemption.objects.create(member=other, year=2026, reason="away", detail="外出").pk,
        "session": session.pk,
        "quarter": quarter.pk,
        "declaration": declaration.pk,
        "entry": entry.pk,
        "objection": Objection.objects.create(
            quarter=quarter, member=other, channel="branch", text="异议"
        ).pk,
        "filing": filing.pk,
        "result": result.pk,
        "study_session": study_session.pk,
        "attachment": attachment.pk,
        "notice": notice.pk,
        "inspection": inspection.pk,
        "thought_report": ThoughtReport.objects.create(
            member=other, received_on=datetime.date(2025, 3, 1)
        ).pk,
        "evidence": MobileEvidence.objects.create(
            member=other,
            activity_on=datetime.date(2025, 3, 1),
            description="活动",
            file=ContentFile(b"x", name="e.png"),
        ).pk,
    }
    return pk


# url name → the args built from b3's objects
ARGS = {
    "branches:unit": ["org"],
    "branches:position_new": ["org"],
    "branches:position_end": ["position"],
    "members:detail": ["member"],
    "members:edit": ["member"],
    "members:account_create": ["member"],
    "members:transfer_out": ["member"],
    "members:exemption_new": ["member"],
    "members:exemption_step": ["exemption"],
    "members:export": ["org"],
    "points:sessions": ["org"],
    "points:session_new": ["org"],
    "points:session_edit": ["session"],
    "points:session_cancel": ["session"],
    "points:attendance": ["session"],
    "points:session_qr": ["session"],
    "points:session_qr_svg": ["session"],
    "points:signin": ["session", "token"],
    "points:dues": ["org", 2025],
    "points:thought_reports": ["org"],
    "points:thought_report_change": ["thought_report"],
    "points:evidence": ["org"],
    "points:evidence_file": ["evidence"],
    "points:quarters": ["org"],
    "points:quarter": ["quarter"],
    "points:quarter_start_review": ["quarter"],
    "points:quarter_publish": ["quarter"],
    "points:quarter_close": ["quarter"],
    "points:declare": ["quarter"],
    "points:declaration_submit": ["declaration"],
    "points:declaration_withdraw": ["declaration"],
    "points:declaration_edit": ["declaration"],
    "points:declaration_evidence": ["declaration"],
    "points:review": ["quarter"],
    "points:review_member": ["quarter", "member"],
    "points:entry_add": ["quarter", "member", "bonus"],
    "points:declaration_review": ["declaration"],
    "points:entry_correct": ["entry"],
    "points:assembly": ["quarter"],
    "points:object": ["quarter"],
    "points:objection_handle": ["objection"],
    "points:annual": ["org", 2025],
    "points:annual_roll_up": ["org", 2025],
    "points:filing_submit": ["filing"],
    "points:filing_review": ["filing"],
    "points:filing_reopen": ["filing"],
    "points:member_year": ["member", 2025],
    "points:annual_workbook": ["org", 2025],
    "points:annual_report_pdf": ["org", 2025],
    "points:results_export": ["org", 2025],
    "points:entries_export": ["org", 2025],
    "points:quarter_publicity_pdf": ["quarter"],
    "points:annual_publicity_pdf": ["filing"],
    "points:member_sheet_pdf": ["result"],
    "study:session_detail": ["study_session"],
    "study:session_record": ["study_session"],
    "study:attachment_upload": ["study_session"],
    "study:reschedule_new": ["study_session"],
    "study:attachment": ["attachment"],
    "study:notice_forward": ["notice"],
    "study:notice_accept": ["notice"],
    "study:notice_return": ["notice"],
    "study:inspection_detail": ["inspection"],
    "study:inspection_answer": ["inspection"],
    "study:inspection_new": ["org"],
}


def test_it_knows_an_object_for_every_url_with_an_id():
    missing = [name for name in _id_urls() if name not in ARGS and name not in NOT_BRANCH_SCOPED]
    assert missing == [], f"give the IDOR sweep an object for: {missing}"


@pytest.mark.parametrize("name", sorted(ARGS))
def test_it_answers_404_to_every_outsider(client, cast, b3, name):
    args = [b3.get(a, a) if isinstance(a, str) else a for a in ARGS[name]]
    args = ["0" * 20 if a == "token" else a for a in args]
    url = reverse(name, args=args)
    for role in OUTSIDERS:
        client.force_login(getattr(cast, role).user)
        got = client.get(url).status_code
        if got == 405:
            got = client.post(url, {}).status_code
        assert got == 404, f"{role} {name} {url} → {got}"


def test_it_keeps_the_security_log_to_its_own_committee(client, cast):
    """The security log has no id in its URL, but it lists rows: a second committee's department gets
    the page, without a single event of this committee's members."""
    from members.models import SecurityEvent, SecurityEventKind, SecurityOutcome
    from tests.security.test_security_log import _other_committee_dept

    SecurityEvent.objects.create(
        at=timezone.now(),
        kind=SecurityEventKind.EXPORT,
        outcome=SecurityOutcome.SUCCESS,
        user=cast.other_member.user,
        username="b3_exporter",
        detail="第三党支部名册",
    )
    client.force_login(_other_committee_dept())
    response = client.get(reverse("security:log"))
    assert response.status_code == 200
    assert "b3_exporter" not in response.content.decode()
    assert "第三党支部名册" not in response.content.decode()
