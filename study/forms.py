"""Forms for study pages. They parse and check input; every write goes through study.services."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from branches.models import OrgKind
from members.models import MemberStatus

from .models import InspectionKind, Rating
from .services.sessions import FORMATS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
FORMAT_CHOICES = [("", "请选择")] + [(f, f) for f in FORMATS]


def _aware(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, time))


class ArrangementForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100, initial="党员学习教育安排")
    issue_label = forms.CharField(label="期号", max_length=40, help_text="例如：2020年第3期")
    issuer = forms.CharField(label="编发单位", max_length=100, initial="党委组织部")
    issued_on = forms.DateField(label="印发日期", widget=DATE)
    theme = forms.CharField(label="学习教育主题", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    purpose = forms.CharField(label="学习教育目的", max_length=3000, widget=forms.Textarea(attrs={"rows": 6}))
    discussion = forms.CharField(label="学习讨论", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label="修订说明", max_length=300, required=False, help_text="已发布的安排修改后会留下修订记录"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ScheduleRowForm(forms.Form):
    week = forms.IntegerField(label="周次", min_value=1, max_value=60)
    date = forms.DateField(label="日期", widget=DATE)
    organizers_text = forms.CharField(
        label="组织者", max_length=200, help_text="如：机关党工委、党总支（直属党支部）；按名称自动关联党组织"
    )


class ReadingForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="篇目", max_length=300)
    source = forms.CharField(label="来源", max_length=200, required=False)
    url = forms.URLField(label="链接", max_length=500, required=False, assume_scheme="https")
    page = forms.IntegerField(label="页码", min_value=1, max_value=9999, required=False)
    attachment = forms.FileField(label="附件（PDF/JPG/PNG，5 MB 以内）", required=False)
    clear_attachment = forms.BooleanField(label="删除原附件", required=False)


class RequirementForm(forms.Form):
    text = forms.CharField(label="要求", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


ScheduleFormSet = forms.formset_factory(
    ScheduleRowForm, extra=1, can_delete=True, max_num=20, validate_max=True
)
ReadingFormSet = forms.formset_factory(ReadingForm, extra=1, can_delete=True, max_num=50, validate_max=True)
RequirementFormSet = forms.formset_factory(
    RequirementForm, extra=1, can_delete=True, max_num=20, validate_max=True
)


def kept_rows(formset) -> list[dict]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.is_valid() and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class SessionPlanForm(forms.Form):
    branch = forms.ModelChoiceField(label="党支部", queryset=None, empty_label=None)
    group = forms.ModelChoiceField(
        label="党小组",
        queryset=None,
        required=False,
        empty_label="全支部",
        help_text="以党小组为单位开展时选择",
    )
    date = forms.DateField(label="日期", widget=DATE)
    start = forms.TimeField(label="开始时间", widget=TIME)
    end = forms.TimeField(label="结束时间", widget=TIME)
    venue = forms.CharField(label="活动地点", max_length=200)
    format = forms.ChoiceField(label="活动方式", choices=FORMAT_CHOICES)
    hours = forms.DecimalField(label="学时", min_value=0.5, max_value=24, decimal_places=1, initial=2)

    def __init__(self, *args, branches, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["group"].queryset = groups

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start") and data.get("end"):
            data["starts_at"] = _aware(data["date"], data["start"])
            data["ends_at"] = _aware(data["date"], data["end"])
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", "结束时间须晚于开始时间。")
        group = data.get("group")
        if group is not None and data.get("branch") and group.parent_id != data["branch"].pk:
            self.add_error("group", f"{group.name}不属于所选党支部。")
        return data


class RescheduleForm(forms.Form):
    date = forms.DateField(label="调整后日期", widget=DATE)
    start = forms.TimeField(label="开始时间", widget=TIME)
    end = forms.TimeField(label="结束时间", widget=TIME)
    venue = forms.CharField(label="活动地点", max_length=200)
    format = forms.ChoiceField(label="活动方式", choices=FORMAT_CHOICES)
    reason = forms.CharField(label="调整原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start") and data.get("end"):
            data["starts_at"] = _aware(data["date"], data["start"])
            data["ends_at"] = _aware(data["date"], data["end"])
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", "结束时间须晚于开始时间。")
        return data


class NoticeDecisionForm(forms.Form):
    note = forms.CharField(label="意见", max_length=300, required=False)


class StudyRecordForm(forms.Form):
    content = forms.CharField(label="学习内容", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    readings = forms.ModelMultipleChoiceField(
        label="学习篇目", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(
        label="活动纪要", max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    note_taker = forms.CharField(label="记录人", max_length=50)

    def __init__(self, *args, readings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["readings"].queryset = readings


class DiscussionForm(forms.Form):
    speaker = forms.ModelChoiceField(
        label="发言人", queryset=None, required=False, empty_label="（其他人员）"
    )
    speaker_name = forms.CharField(
        label="发言人姓名", max_length=50, required=False, help_text="非本支部党员时填写"
    )
    points = forms.CharField(label="发言要点", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = members

    def clean(self):
        data = super().clean()
        if not data.get("speaker") and not (data.get("speaker_name") or "").strip():
            self.add_error("speaker_name", "请选择发言人或填写姓名。")
        return data


DiscussionFormSet = forms.formset_factory(DiscussionForm, extra=2, can_delete=True, max_num=100)


def branch_members(branch):
    from members.models import Member

    return Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE).order_by("code")


def branch_groups(branch_ids):
    from branches.models import Organization

    return Organization.objects.filter(kind=OrgKind.GROUP, parent_id__in=branch_ids).order_by("path")


class AttachmentForm(forms.Form):
    file = forms.FileField(label="照片或附件（JPG/PNG/PDF，5 MB 以内）")
    caption = forms.CharField(label="说明", max_length=100, required=False)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=InspectionKind.choices)
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    inspector_name = forms.CharField(label="检查人", max_length=100)
    rating = forms.ChoiceField(label="评价", choices=Rating.choices, widget=forms.RadioSelect)
    remarks = forms.CharField(
        label="检查情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fix_required = forms.CharField(
        label="整改要求", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fix_due = forms.DateField(label="整改期限", required=False, widget=DATE)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, InspectionKind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean(self):
        data = super().clean()
        if data.get("fix_due") and not (data.get("fix_required") or "").strip():
            self.add_error("fix_required", "填写整改期限时须写明整改要求。")
        return data


class InspectionAnswerForm(forms.Form):
    response = forms.CharField(label="整改情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def year_or(self, default: int) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return default
