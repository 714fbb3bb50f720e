"""The texts and checks shared by the filed-year tests."""

import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from members.models import Exemption
from points.models import (
    Attendance,
    Declaration,
    DuesRecord,
    MobileEvidence,
    Objection,
    PointEntry,
    Quarter,
    Session,
    ThoughtReport,
    Transition,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = 2025
FILED_TEXT = "第一党支部2025年度积分已经上级党组织审核备案，该年度的记录已锁定，不能再修改。"
SUBMITTED_TEXT = "第一党支部2025年度积分已报上级党组织审核备案，该年度的记录已锁定，不能再修改。"


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "PNG")
    return SimpleUploadedFile("证明.png", out.getvalue(), content_type="image/png")


def snapshot():
    """Everything a write to the year could change."""
    return (
        sorted(Attendance.objects.values_list("pk", "status", "reason", "is_current")),
        sorted(DuesRecord.objects.values_list("pk", "month", "status", "is_current")),
        sorted(ThoughtReport.objects.values_list("pk", "received_on", "summary", "is_current")),
        MobileEvidence.objects.count(),
        sorted(Session.objects.values_list("pk", "title", "starts_at", "is_cancelled")),
        sorted(Quarter.objects.values_list("pk", "year", "number", "state")),
        sorted(Declaration.objects.values_list("pk", "state", "description", "value")),
        sorted(PointEntry.objects.values_list("pk", "value", "is_current")),
        sorted(Objection.objects.values_list("pk", "state")),
        sorted(Exemption.objects.values_list("pk", "state")),
        Transition.objects.count(),
    )


def refused(call, text=FILED_TEXT):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call()
    assert text in " ".join(exc.value.messages)
    assert "须由上级党组织退回后办理" in " ".join(exc.value.messages)
    assert snapshot() == before
