"""Every workflow URL × every role of the cast: 404 outside the scope, 403 in scope but not permitted,
a login redirect for anonymous, the page or the redirect after the step for the permitted roles; and
405 for a wrong method. The helpers here build quarters through the services (the front door)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from points.models import EntryType, ObjectionChannel, PointEntry, Quarter
from points.services import workflow

from .conftest import YEAR, run_quarter

ANON = "anonymous"
ROLES = ["dept", "gb_secretary", "secretary", "recorder", "committee_member", "member", "other_member"]
DAY = datetime.date(YEAR, 2, 10)  # inside the first quarter of YEAR, long past


# --- helpers shared by the view tests -------------------------------------------------------------


def open_quarter(cast, number=1, year=YEAR) -> Quarter:
    return workflow.quarter_open(branch=cast.b1, year=year, number=number, actor=cast.secretary.user)


def advance(cast, quarter, to: str) -> Quarter:
    """Move an open quarter on to `to` (in_review, determined, published or closed) through the services."""
    today = timezone.localdate()
    steps = ["in_review", "determined", "published", "closed"]
    for step in steps[: steps.index(to) + 1]:
        if step == "in_review":
            workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
        elif step == "determined":
            workflow.assembly_record(
                quarter=quarter,
                actor=cast.secretary.user,
                held_on=today,
                present=workflow.voting_members(quarter.branch),
                decision="同意支委会初评意见",
            )
        elif step == "published":
            workflow.quarter_publish(quarter=quarter, actor=cast.secretary.user, start=today)
        else:
            workflow.quarter_close(
                quarter=quarter,
                actor=cast.secretary.user,
                today=quarter.publicity_end + datetime.timedelta(days=1),
            )
        quarter.refresh_from_db()
    return quarter


def declare(cast, quarter, who="member", *, submit=False, evidence=None, **fields):
    data = dict(
        subject=getattr(cast, who).member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=2,
        occurred_on=datetime.date(quarter.year, 3 * quarter.number - 1, 10),
        description="参加社区爱心捐款",
        evidence=evidence,
    )
    data.update(fields)
    d = workflow.declaration_create(quarter=quarter, actor=getattr(cast, who).user, **data)
    if submit:
        workflow.declaration_submit(declaration=d, actor=getattr(cast, who).user)
        d.refresh_from_db()
    return d


def deduct(cast, quarter, member=None, value=8):
    return workflow.entry_add(
        quarter=quarter,
        member=member or cast.member.member,
        actor=cast.secretary.user,
        entry_type=EntryType.DEDUCTION,
        kind="absence_or_dues",
        value=value,
        measure="criticism",
        reason="连续 3 个月未参加组织生活",
    )


def object_to(cast, quarter, channel=ObjectionChannel.BRANCH, who="member"):
    return workflow.objection_submit(
        quarter=quarter, actor=getattr(cast, who).user, channel=channel, text="2 月的主题党日我参加了"
    )


def closed_year(cast, year=YEAR):
    for n in (1, 2, 3, 4):
        run_quarter(cast, open_quarter(cast, n, year))


def rolled_up(cast, *, submit=False):
    closed_year(cast)
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    if submit:
        workflow.filing_submit(filing=filing, actor=cast.secretary.user)
        filing.refresh_from_db()
    return filing


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the matrix ----------------------------------------------------------------------------------


def _q(cast, state=None):
    q = open_quarter(cast)
    return advance(cast, q, state) if state else q


def _pages(cast, page):
    """(method, url, data) for one page, with the data a permitted role would post."""
    b1, member = cast.b1, cast.member.member
    today = timezone.localdate().isoformat()
    if page == "quarters":
        return "get", reverse("points:quarters", args=[b1.pk]), None
    if page == "quarter_open":
        return "post", reverse("points:quarters", args=[b1.pk]), {"year": YEAR, "number": 1}
    if page == "quarter":
        return "get", reverse("points:quarter", args=[_q(cast, "published").pk]), None
    if page == "start_review":
        return "post", reverse("points:quarter_start_review", args=[_q(cast).pk]), {}
    if page == "publish":
        return "post", reverse("points:quarter_publish", args=[_q(cast, "determined").pk]), {}
    if page == "close":
        return "post", reverse("points:quarter_close", args=[_q(cast, "published").pk]), {}
    if page == "declare":
        return "get", reverse("points:declare", args=[_q(cast).pk]), None
    if page in ("declaration_submit", "declaration_withdraw"):
        return "post", reverse(f"points:{page}", args=[declare(cast, _q(cast)).pk]), {}
    if page == "declaration_edit":
        return "get", reverse("points:declaration_edit", args=[declare(cast, _q(cast)).pk]), None
    if page == "evidence":
        d = declare(cast, _q(cast), evidence=ContentFile(PDF, name="e.pdf"))
        return "get", reverse("points:declaration_evidence", args=[d.pk]), None
    if page in ("review", "assembly"):
        return "get", reverse(f"points:{page}", args=[_q(cast, "in_review").pk]), None
    if page == "review_member":
        return "get", reverse("points:review_member", args=[_q(cast, "in_review").pk, member.pk]), None
    if page == "declaration_review":
        q = _q(cast)
        d = declare(cast, q, submit=True)
        advance(cast, q, "in_review")
        return "post", reverse("points:declaration_review", args=[d.pk]), {f"d{d.pk}-decision": "approve"}
    if page == "entry_add":
        q = _q(cast, "in_review")
        data = {
            "deduction-kind": "absence_or_dues",
            "deduction-value": "6",
            "deduction-measure": "criticism",
            "deduction-reason": "连续 3 个月未交党费",
        }
        return "post", reverse("points:entry_add", args=[q.pk, member.pk, "deduction"]), data
    if page == "entry_correct":
        e = deduct(cast, _q(cast, "in_review"))
        return (
            "post",
            reverse("points:entry_correct", args=[e.pk]),
            {f"c{e.pk}-value": 5, f"c{e.pk}-reason": "情节较轻"},
        )
    if page == "assembly_post":
        q = _q(cast, "in_review")
        present = [m.pk for m in workflow.voting_members(b1)]
        data = {"held_on": today, "present": present, "decision": "同意"}
        return "post", reverse("points:assembly", args=[q.pk]), data
    if page == "object":
        return "get", reverse("points:object", args=[_q(cast, "published").pk]), None
    if page == "object_post":
        url = reverse("points:object", args=[_q(cast, "published").pk])
        return "post", url, {"channel": "branch", "text": "有异议"}
    if page == "objections":
        return "get", reverse("points:objections"), None
    if page in ("objection_handle", "objection_handle_post"):
        o = object_to(cast, _q(cast, "published"))
        data = {"upheld": "no", "findings": "核实无误", "feedback": "维持原评定"}
        method = "post" if page.endswith("_post") else "get"
        return method, reverse("points:objection_handle", args=[o.pk]), data
    if page == "appeal_handle":
        o = object_to(cast, _q(cast, "published"), ObjectionChannel.APPEAL)
        return "get", reverse("points:objection_handle", args=[o.pk]), None
    if page == "annual":
        return "get", reverse("points:annual", args=[b1.pk, YEAR]), None
    if page == "roll_up":
        return "post", reverse("points:annual_roll_up", args=[b1.pk, YEAR]), {}
    if page == "filings":
        return "get", reverse("points:filings"), None
    if page == "filing_submit":
        return "post", reverse("points:filing_submit", args=[rolled_up(cast).pk]), {}
    if page == "filing_review":
        return (
            "post",
            reverse("points:filing_review", args=[rolled_up(cast, submit=True).pk]),
            {"decision": "file"},
        )
    if page == "member_year":
        return "get", reverse("points:member_year", args=[member.pk, YEAR]), None
    if page == "member_year_secretary":
        return "get", reverse("points:member_year", args=[cast.secretary.member.pk, YEAR]), None
    raise AssertionError(page)


def _expect(default, **by_role):
    return {ANON: 302, "other_member": 404, **{role: default for role in ROLES[:-1]}, **by_role}


EVERYONE = _expect(200)
SECRETARY_ONLY_GET = _expect(403, secretary=200)
SECRETARY_ONLY_POST = _expect(403, secretary=302)
MEMBERS_GET = _expect(200, dept=403, gb_secretary=403)
COMMITTEE_GET = _expect(403, secretary=200, committee_member=200)
COMMITTEE_POST = _expect(403, secretary=302, committee_member=302)
HANDLERS_LIST = _expect(403, dept=200, gb_secretary=200, secretary=200, other_member=403)
HIGHER_GET = _expect(403, dept=200, gb_secretary=200)

EXPECTED = {
    "quarters": EVERYONE,
    "quarter_open": SECRETARY_ONLY_POST,
    "quarter": EVERYONE,
    "start_review": SECRETARY_ONLY_POST,
    "publish": SECRETARY_ONLY_POST,
    "close": SECRETARY_ONLY_POST,
    "declare": MEMBERS_GET,
    "declaration_submit": _expect(403, member=302),
    "declaration_withdraw": _expect(403, member=302),
    "declaration_edit": _expect(403, member=200),
    "evidence": _expect(200, recorder=403),
    "review": COMMITTEE_GET,
    "review_member": COMMITTEE_GET,
    "declaration_review": COMMITTEE_POST,
    "entry_add": COMMITTEE_POST,
    "entry_correct": COMMITTEE_POST,
    "assembly": SECRETARY_ONLY_GET,
    "assembly_post": SECRETARY_ONLY_POST,
    "object": MEMBERS_GET,
    "object_post": _expect(302, dept=403, gb_secretary=403),
    "objections": HANDLERS_LIST,
    "objection_handle": SECRETARY_ONLY_GET,
    "objection_handle_post": SECRETARY_ONLY_POST,
    "appeal_handle": HIGHER_GET,
    "annual": EVERYONE,
    "roll_up": SECRETARY_ONLY_POST,
    "filings": _expect(403, dept=200, gb_secretary=200, other_member=403),
    "filing_submit": SECRETARY_ONLY_POST,
    "filing_review": _expect(403, dept=302, gb_secretary=302),
    "member_year": EVERYONE,
    "member_year_secretary": _expect(200, member=404),
}

# A year of four quarters is slow to build: run those pages for fewer roles (one per outcome).
SLOW = {"filing_submit", "filing_review"}
CASES = [
    (page, role)
    for page, by_role in EXPECTED.items()
    for role in [ANON, *ROLES]
    if page not in SLOW or role in (ANON, "secretary", "dept", "member", "other_member")
]


@pytest.mark.parametrize(("page", "role"), CASES)
def test_it_answers_each_role_as_expected(client, cast, page, role):
    method, url, data = _pages(cast, page)
    if role != ANON:
        client.force_login(getattr(cast, role).user)
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == EXPECTED[page][role], (page, role, response.status_code)
    if role == ANON:
        assert response["Location"].startswith(reverse("login"))


WRONG_METHOD = {"get": "post", "post": "get"}
# Pages that take both GET and POST: PUT is their wrong method.
BOTH = {
    "quarters",
    "quarter_open",
    "declare",
    "declaration_edit",
    "assembly",
    "assembly_post",
    "object",
    "object_post",
    "objection_handle",
    "objection_handle_post",
    "appeal_handle",
}


@pytest.mark.parametrize("page", [p for p in EXPECTED if p not in SLOW])
def test_it_refuses_a_wrong_method(client, cast, page):
    method, url, _ = _pages(cast, page)
    client.force_login(cast.secretary.user)
    wrong = "put" if page in BOTH else WRONG_METHOD[method]
    assert getattr(client, wrong)(url).status_code == 405


def test_it_changes_nothing_for_a_refused_role(client, cast):
    q = _q(cast)
    client.force_login(cast.committee_member.user)
    assert client.post(reverse("points:quarter_start_review", args=[q.pk])).status_code == 403
    q.refresh_from_db()
    assert q.state == "open"
    assert not PointEntry.objects.exists()
