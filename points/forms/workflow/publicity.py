"""Assembly, objections and appeals, and the annual filing review (clauses 四.4–四.6)."""

from django import forms
from django.utils import timezone

from ...models import EntryType, ObjectionChannel
from ...scoring import Scheme
from ...selectors.workflow import labels_for
from ._fields import (
    DATE,
    TEXT,
    MembersField,
    _points,
    _reason,
    has_levels,
    item_choices,
    level_choices,
    level_value,
)

# --- assembly (clause 四.4) ---------------------------------------------------------------------


class AssemblyForm(forms.Form):
    held_on = forms.DateField(label="召开日期", widget=DATE)
    present = MembersField(
        label="到会的有表决权党员",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="只列本支部正式党员；到会人数须超过有表决权党员的半数",
    )
    decision = forms.CharField(label="评定结论", max_length=2000, widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args, voters, **kwargs):
        kwargs.setdefault("initial", {"held_on": timezone.localdate(), "decision": "同意支委会初评意见。"})
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = voters


# --- objections (clause 四.5) ---------------------------------------------------------------------


class ObjectionForm(forms.Form):
    channel = forms.ChoiceField(
        label="途径",
        choices=ObjectionChannel.choices,
        widget=forms.RadioSelect,
        initial=ObjectionChannel.BRANCH,
    )
    text = forms.CharField(
        label="异议内容和理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="写明对哪一项积分有异议、事实和依据",
    )


class ObjectionHandleForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="核实结论",
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        choices=[("no", "异议不成立，维持原评定"), ("yes", "异议成立，更正积分")],
    )
    findings = _reason("核实情况")
    feedback = _reason("向党员反馈")
    mode = forms.ChoiceField(
        label="更正方式（异议成立时）",
        required=False,
        widget=forms.RadioSelect,
        choices=[("correct", "更正该党员本季度的一项积分"), ("add", "补记一项积分")],
    )
    correct_entry = forms.ModelChoiceField(label="要更正的积分条目", queryset=None, required=False)
    new_value = _points("更正后分值", required=False)
    add_item = forms.ChoiceField(label="补记项目", required=False)
    add_value = _points("补记分值", required=False, help_text="表彰奖励按级别计分，不必填写")
    add_level = forms.ChoiceField(label="表彰级别", required=False)
    add_content_key = forms.CharField(label="表彰内容", max_length=200, required=False)
    add_measure = forms.ChoiceField(label="帮教整改方式", required=False, help_text="补记减分时必选")

    def __init__(self, *args, scheme: Scheme, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        labels = labels_for(scheme)
        self.fields["correct_entry"].queryset = entries
        self.fields["correct_entry"].label_from_instance = lambda e: (
            f"{e.get_entry_type_display()}：{labels.item(e.entry_type, e.kind)} {e.value:g} 分"
        )
        self.fields["add_item"].choices = item_choices(
            scheme, EntryType.BONUS, EntryType.DEDUCTION, EntryType.JUDGMENT
        )
        self.fields["add_level"].choices = level_choices(scheme)
        self.fields["add_measure"].choices = [("", "—"), *scheme.choices("measures")]

    def clean(self):
        data = super().clean()
        if not data.get("upheld"):
            return data
        mode = data.get("mode")
        if mode == "correct":
            if not data.get("correct_entry"):
                self.add_error("correct_entry", "请选择要更正的积分条目。")
            if data.get("new_value") is None:
                self.add_error("new_value", "请填写更正后的分值。")
        elif mode == "add":
            entry_type, _, kind = (data.get("add_item") or "").partition(":")
            if not kind:
                self.add_error("add_item", "请选择补记的项目。")
            elif has_levels(self.scheme, kind):
                data["add_value"] = level_value(self.scheme, kind, data.get("add_level") or "")
                if data["add_value"] is None:
                    self.add_error("add_level", "受到党内表彰奖励须选择表彰级别。")
            elif data.get("add_value") is None:
                self.add_error("add_value", "请填写补记的分值。")
        else:
            self.add_error("mode", "异议成立时须更正或补记积分。")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"upheld": data["upheld"], "findings": data["findings"], "feedback": data["feedback"]}
        if not data["upheld"]:
            return kwargs
        if data["mode"] == "correct":
            kwargs.update(correct_entry=data["correct_entry"], new_value=data["new_value"])
        else:
            entry_type, _, kind = data["add_item"].partition(":")
            levelled = has_levels(self.scheme, kind)
            kwargs["add_entry"] = {
                "entry_type": entry_type,
                "kind": kind,
                "value": data["add_value"],
                "level": (data.get("add_level") or "") if levelled else "",
                "content_key": (data.get("add_content_key") or "-") if levelled else "",
                "measure": (data.get("add_measure") or "") if entry_type == EntryType.DEDUCTION else "",
            }
        return kwargs


# --- annual filing (clause 四.6) ---------------------------------------------------------------


class FilingReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核意见",
        widget=forms.RadioSelect,
        choices=[("file", "审核通过，予以备案"), ("return", "退回修改")],
    )
    remarks = _reason("审核意见说明", required=False, help_text="退回时必填")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("remarks") or "").strip():
            self.add_error("remarks", "退回须写明审核意见。")
        return data


class FilingReopenForm(forms.Form):
    reason = _reason("退回理由", help_text="退回后支部可更正该年度的记录，重新汇总并上报")
