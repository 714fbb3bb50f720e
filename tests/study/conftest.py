"""Study fixtures: a published arrangement for the cast's committee and helpers to plan sessions and
take attendance (attendance rows are written directly until the points attendance service exists)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from points.models import Attendance
from study import services

TZ = datetime.timezone(datetime.timedelta(hours=8))


def content(**overrides) -> dict:
    data = {
        "title": "党员学习教育安排",
        "issue_label": "2030年第3期",
        "issuer": "党委组织部",
        "issued_on": datetime.date(2030, 5, 7),
        "theme": "深入学习贯彻习近平新时代中国特色社会主义思想",
        "purpose": "统一思想、统一意志、统一行动。",
        "discussion": "结合学习体会，谈谈如何实现“比学赶超”。",
        "schedule": [
            {"week": 13, "date": datetime.date(2030, 5, 12), "organizers_text": "党总支（直属党支部）"}
        ],
        "readings": [
            {
                "title": "《习近平新时代中国特色社会主义思想三十讲》第十九讲",
                "url": "http://www.xinhuanet.com/",
            },
            {
                "title": "娄勤俭：在高质量发展道路上来一场比学赶超",
                "source": "《群众》2020 年第 9 期",
                "page": 5,
            },
        ],
        "requirements": ["如时间有调整，请提前半天报党委组织部。", "认真做好学习教育记录。"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_arrangement(cast):
    def _make(publish=True, **overrides):
        arrangement = services.arrangement_create(
            committee=cast.committee, content=content(**overrides), actor=cast.dept.user
        )
        if publish:
            arrangement = services.arrangement_publish(arrangement=arrangement, actor=cast.dept.user)
        return arrangement

    return _make


@pytest.fixture
def arrangement(make_arrangement):
    return make_arrangement()


def at(days: int = 10, hour: int = 14) -> datetime.datetime:
    """A moment `days` from today at `hour` o'clock, local time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


@pytest.fixture
def plan(cast, arrangement):
    def _plan(branch=None, starts_at=None, hours=Decimal("2.0"), person=None, group=None, target=None):
        branch = branch or cast.b1
        starts_at = starts_at or at(10)
        person = person or (cast.secretary if branch == cast.b1 else cast.other_secretary)
        return services.study_session_plan(
            arrangement=target or arrangement,
            branch=branch,
            group=group,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2),
            venue="党员活动室",
            format="集中学习",
            hours=hours,
            actor=person.user,
        )

    return _plan


def attend(study_session, member, status="present", reason="", recorder=None):
    return Attendance.objects.create(
        session=study_session.session, member=member, status=status, reason=reason, recorded_by=recorder
    )


def jpeg_bytes(size=(64, 48), exif=True) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"  # Make
        img.save(out, "JPEG", exif=info)
    else:
        img.save(out, "JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a fresh directory so a test can see exactly what was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def member_study_hours(member, year: int):
    """学时 as 我的学习 shows them: the hours of the attended rows of `study_year`."""
    from study.selectors import hours_attended, study_year

    attended, _missed = study_year(member, year)
    return hours_attended(attended)
