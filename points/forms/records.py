"""Forms of the daily records: they parse and tidy what the recorder typed; the services decide."""

import datetime
import re

from django import forms
from django.utils import timezone

from branches.models import Organization, OrgKind

from ..models import Audience, SessionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=SessionKind.choices)
    title = forms.CharField(label="主题", max_length=200)
    date = forms.DateField(label="日期", widget=DATE)
    start_time = forms.TimeField(label="开始时间", widget=TIME)
    end_time = forms.TimeField(label="结束时间", widget=TIME)
    venue = forms.CharField(label="地点", max_length=200, required=False)
    format = forms.CharField(
        label="活动方式",
        max_length=50,
        required=False,
        help_text="如：集中学习、专题讨论、线上会议、参观学习",
    )
    hours = forms.DecimalField(
        label="学时",
        min_value=0,
        max_value=24,
        decimal_places=1,
        initial=0,
        help_text="集中学习、党课计入学习学时；其他活动可填 0",
    )
    audience = forms.ChoiceField(label="应参加人员", choices=Audience.choices, initial=Audience.BRANCH)
    group = forms.ModelChoiceField(
        label="党小组",
        queryset=Organization.objects.none(),
        required=False,
        help_text="应参加人员为党小组成员时选择",
    )

    def __init__(self, *args, branch, session=None, **kwargs):
        if session is not None and "initial" not in kwargs:
            starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
            kwargs["initial"] = {
                "kind": session.kind,
                "title": session.title,
                "date": starts.date(),
                "start_time": starts.time(),
                "end_time": ends.time(),
                "venue": session.venue,
                "format": session.format,
                "hours": session.hours,
                "audience": session.audience,
                "group": session.group_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Organization.objects.filter(
            parent=branch, kind=OrgKind.GROUP
        ).order_by("sort_order", "name")

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
            if end <= start:
                self.add_error("end_time", "结束时间须晚于开始时间。")
        if data.get("audience") == Audience.GROUP:
            if not data.get("group"):
                self.add_error("group", "请选择党小组。")
        else:
            data["group"] = None
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "venue": data["venue"],
            "format": data["format"],
            "hours": data["hours"],
            "audience": data["audience"],
            "group": data["group"],
        }


STATUS_KEY = re.compile(r"^status-(.+)$")
DUES_KEY = re.compile(r"^d-(.+)-(.+)$")


def parse_attendance(data) -> tuple[dict[int, tuple[str, str]], str, list[str]]:
    """The attendance sheet's POST: `status-<member id>` and `reason-<member id>` per row, one
    `correction_reason`. Returns (member id → (status, reason), correction reason, parse errors)."""
    entries: dict[int, tuple[str, str]] = {}
    errors: list[str] = []
    for key in data:
        match = STATUS_KEY.match(key)
        if not match:
            continue
        raw = match.group(1)
        if not raw.isdigit():
            errors.append(f"无法识别的提交内容：{key}。")
            continue
        entries[int(raw)] = (data.get(key, "").strip(), data.get(f"reason-{raw}", "").strip()[:200])
    return entries, data.get("correction_reason", "").strip()[:200], errors


def parse_dues(data) -> tuple[dict[tuple[int, int], str], str, list[str]]:
    """The dues grid's POST: `d-<member id>-<month>` per cell and one `correction_reason`."""
    entries: dict[tuple[int, int], str] = {}
    errors: list[str] = []
    for key in data:
        match = DUES_KEY.match(key)
        if not match:
            continue
        member, month = match.groups()
        if not (member.isdigit() and month.isdigit()):
            errors.append(f"无法识别的提交内容：{key}。")
            continue
        entries[(int(member), int(month))] = data.get(key, "").strip()
    return entries, data.get("correction_reason", "").strip()[:200], errors


class ThoughtReportForm(forms.Form):
    member = MemberChoiceField(label="党员", queryset=None)
    received_on = forms.DateField(label="收到日期", widget=DATE)
    summary = forms.CharField(label="摘要", max_length=200, required=False)
    correction_reason = forms.CharField(
        label="补登理由", max_length=200, required=False, help_text="所属季度已锁定时必填"
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["received_on"].initial = timezone.localdate()


class ThoughtReportChangeForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=DATE)
    summary = forms.CharField(label="摘要", max_length=200, required=False)
    correction_reason = forms.CharField(
        label="更正理由", max_length=200, required=False, help_text="所属季度已锁定时必填"
    )


class EvidenceForm(forms.Form):
    member = MemberChoiceField(label="流动党员", queryset=None)
    activity_on = forms.DateField(label="活动日期", widget=DATE)
    description = forms.CharField(label="活动内容", max_length=200)
    file = forms.FileField(
        label="活动证页面",
        help_text="拍照或扫描《流动党员活动证》相应页面，JPEG、PNG 或 PDF，不超过 5 MB",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


# Years the pages accept in a query string; anything else falls back to the current year.
MIN_YEAR, MAX_YEAR = 2000, 2100


def year_or_current(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year
