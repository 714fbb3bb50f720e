"""Every file with members' data that leaves the site is logged: who, what, scope and when (issue 22).

The walk below requests every page of the URL configuration, as people who may see branch b3's data,
with b3's objects as arguments. Each answer that is a file must have written exactly one EXPORT event
naming the user, the file and its scope, at the request's moment, unless the file holds nobody's
personal data (NOT_PERSONAL). The set of pages that answered with a file is compared with FILES, so a
new download cannot hide from the walk: it fails here until it is listed (and logs).
"""

import datetime

import pytest
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from members.models import SecurityEvent, SecurityEventKind
from members.security.downloads import is_file
from points.reports import imports
from tests.test_idor_sweep import ARGS, b3  # noqa: F401 (b3 is the fixture of b3's objects)

MOMENT = datetime.datetime(2026, 3, 16, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))

# Files that hold nobody's personal data: blank import templates and the committee's own documents.
NOT_PERSONAL = {
    "members:import_template",
    "points:import_template",
    "study:arrangement_pdf",
    "study:reading_file",
}

# Every page that answers with a file for someone who may see b3.
FILES = NOT_PERSONAL | {
    "members:export",
    "points:annual_workbook",
    "points:annual_report_pdf",
    "points:results_export",
    "points:entries_export",
    "points:quarter_publicity_pdf",
    "points:annual_publicity_pdf",
    "points:member_sheet_pdf",
    "points:evidence_file",
    "points:declaration_evidence",
    "study:attachment",
    "study:completion_xlsx",
}

INSIDERS = ["dept", "other_secretary", "other_member"]


def _pages():
    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name, str(p.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def _urls(name, pattern, objects):
    if "<slug:kind>" in pattern:
        return [reverse(name, args=[kind]) for kind in sorted(imports.KINDS)]
    if "<" not in pattern:
        return [reverse(name)]
    if name not in ARGS:  # committee-wide pages (arrangements) take the arrangement or reading
        key = "reading" if "reading" in name else "arrangement"
        return [reverse(name, args=[objects[key]])]
    args = [objects.get(a, a) if isinstance(a, str) else a for a in ARGS[name]]
    return [reverse(name, args=["0" * 20 if a == "token" else a for a in args])]


@pytest.fixture
def objects(b3, cast):  # noqa: F811
    from django.core.files.base import ContentFile

    from points.models import AnnualFiling, Quarter
    from points.scoring import GUIDELINE_SCHEME
    from study.models import Arrangement, Reading

    AnnualFiling.objects.filter(pk=b3["filing"]).update(scheme=GUIDELINE_SCHEME.to_dict())
    Quarter.objects.filter(pk=b3["quarter"]).update(publicity_start=datetime.date(2025, 4, 3))

    arrangement = Arrangement.objects.get(committee=cast.committee)
    reading = Reading.objects.filter(arrangement=arrangement).first()
    reading.attachment = ContentFile(b"%PDF-1.4\n", name="r.pdf")
    reading.attachment_name = "材料.pdf"
    reading.save()
    return {**b3, "arrangement": arrangement.pk, "reading": reading.pk}


def _exports():
    return list(SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).order_by("pk"))


def test_every_file_download_is_logged_with_who_what_scope_and_when(client, cast, objects, clock):
    clock.move_to(MOMENT)
    files, unlogged = set(), []
    for name, pattern in _pages():
        for url in _urls(name, pattern, objects):
            for role in INSIDERS:
                user = getattr(cast, role).user
                client.force_login(user)
                before = len(_exports())
                response = client.get(url)
                new = _exports()[before:]
                if not is_file(response):
                    assert new == [], f"{role} {url} answered {response.status_code} and logged an export"
                    continue
                files.add(name)
                if name in NOT_PERSONAL:
                    assert new == [], f"{url} holds no personal data but was logged"
                    continue
                if len(new) != 1:
                    unlogged.append(f"{role} {url}: {len(new)} events")
                    continue
                event = new[0]
                what, _, scope = event.detail.partition("；范围：")
                assert (event.user, event.path, event.at) == (user, url, MOMENT)
                assert what.strip() and scope.strip(), event.detail
                assert (what, scope) == (response.download_what, response.download_scope)
    assert unlogged == []
    assert files == FILES


def test_a_roster_export_names_the_branch(client, cast):
    client.force_login(cast.secretary.user)
    response = client.get(reverse("members:export", args=[cast.b1.pk]))
    assert response.status_code == 200
    (event,) = _exports()
    assert (event.user, event.detail) == (cast.secretary.user, f"党员名册；范围：{cast.b1.name}")


def test_the_completion_workbook_names_the_branches_it_holds(client, cast):
    client.force_login(cast.gb_secretary.user)
    response = client.get(reverse("study:completion_xlsx"))
    assert response.status_code == 200
    (event,) = _exports()
    assert event.user == cast.gb_secretary.user
    assert "党员学习教育完成情况；范围：" in event.detail
    assert cast.b1.name in event.detail and cast.b3.name not in event.detail


def test_a_refused_download_is_not_logged_as_an_export(client, cast):
    client.force_login(cast.member.user)
    assert client.get(reverse("members:export", args=[cast.b1.pk])).status_code in (403, 404)
    assert _exports() == []
