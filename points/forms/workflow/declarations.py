"""Opening a quarter and the members' declarations (clause 四.2)."""

from django import forms
from django.utils import timezone

from ...models import EntryType
from ...scoring import Scheme
from ._fields import (
    DATE,
    TEXT,
    MemberChoiceField,
    _points,
    check_evidence,
    has_levels,
    item_choices,
    level_choices,
)

# --- quarters --------------------------------------------------------------------------------


class QuarterOpenForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    number = forms.TypedChoiceField(
        label="季度", coerce=int, choices=[(n, f"第{n}季度") for n in (1, 2, 3, 4)]
    )
    declaration_closes = forms.DateField(
        label="申报截止日期", required=False, widget=DATE, help_text="不填则由书记手动截止申报"
    )


# --- declarations (clause 四.2) -----------------------------------------------------------------


class DeclarationForm(forms.Form):
    subject = MemberChoiceField(
        label="申报对象",
        queryset=None,
        help_text="申报本人的事项选本人；报告其他党员的积分事项选该党员",
    )
    item = forms.ChoiceField(label="积分项目")
    value = _points(
        "分值", required=False, help_text="表彰奖励按级别计分，不必填写；报告减分事项可不填，由支委会认定"
    )
    level = forms.ChoiceField(label="表彰级别", required=False, help_text="仅“受到党内表彰奖励”填写")
    content_key = forms.CharField(
        label="表彰内容",
        max_length=200,
        required=False,
        help_text="如“优秀共产党员”；同一内容不同级别按最高级别计分",
    )
    own_duty = forms.BooleanField(
        label="属于本人工作岗位要求应履行的职责",
        required=False,
        help_text="参加防汛抗台、疫情防控等服务项目，属本职工作的不加分（三(二)2）",
    )
    occurred_on = forms.DateField(label="发生日期", widget=DATE)
    description = forms.CharField(label="事项说明", max_length=2000, widget=forms.Textarea(attrs=TEXT))
    evidence = forms.FileField(
        label="证明材料",
        required=False,
        help_text="JPG、PNG 图片或 PDF 文件，不超过 5 MB",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, scheme: Scheme, members, me, day=None, **kwargs):
        kwargs.setdefault("initial", {"subject": me, "occurred_on": day or timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.fields["subject"].queryset = members
        self.fields["item"].choices = item_choices(scheme, EntryType.BONUS, EntryType.DEDUCTION)
        self.fields["level"].choices = level_choices(scheme)

    def clean_evidence(self):
        uploaded = self.cleaned_data.get("evidence")
        if uploaded is False:
            return False  # "清除" ticked on an edited draft: remove the file
        return check_evidence(uploaded) if uploaded else None

    @classmethod
    def initial_of(cls, declaration) -> dict:
        """The form's values for editing a draft."""
        return {
            "subject": declaration.subject_id,
            "item": f"{declaration.entry_type}:{declaration.kind}",
            "value": declaration.value,
            "level": declaration.level,
            "content_key": declaration.content_key,
            "own_duty": declaration.own_duty,
            "occurred_on": declaration.occurred_on,
            "description": declaration.description,
            "evidence": declaration.evidence or None,
        }

    def clean(self):
        data = super().clean()
        item = data.get("item") or ""
        entry_type, _, kind = item.partition(":")
        data["entry_type"], data["kind"] = entry_type, kind
        if kind and has_levels(self.scheme, kind):
            data["value"] = None  # the level decides the points
            if not data.get("level"):
                self.add_error("level", "受到党内表彰奖励须选择表彰级别。")
            if not (data.get("content_key") or "").strip():
                self.add_error("content_key", "请填写表彰内容。")
        else:
            data["level"], data["content_key"] = "", ""
            if entry_type == EntryType.BONUS and data.get("value") is None:
                self.add_error("value", "请填写加分分值。")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "subject",
                "entry_type",
                "kind",
                "value",
                "level",
                "content_key",
                "own_duty",
                "occurred_on",
                "description",
                "evidence",
            )
        }
