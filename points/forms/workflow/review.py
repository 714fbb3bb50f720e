"""The committee's preliminary review: declarations and ledger entries (clause 四.3)."""

from django import forms

from ...models import EntryType
from ...scoring import Scheme
from ._fields import (
    DATE,
    _points,
    _range,
    _reason,
    has_levels,
    level_choices,
    level_value,
)

# --- committee review (clause 四.3) ---------------------------------------------------------


class DeclarationReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="初评意见",
        widget=forms.RadioSelect,
        choices=[("approve", "认定"), ("adjust", "调整分值后认定"), ("reject", "不予认定")],
        initial="approve",
    )
    value = _points("调整后分值", required=False)
    measure = forms.ChoiceField(label="帮教整改方式", required=False, help_text="认定减分事项时必选")
    reason = _reason("理由", required=False, help_text="调整分值或不予认定时必填")

    def __init__(self, *args, scheme: Scheme, declaration, **kwargs):
        super().__init__(*args, prefix=f"d{declaration.pk}", **kwargs)
        self.fields["measure"].choices = [("", "—"), *scheme.choices("measures")]
        if declaration.entry_type != EntryType.DEDUCTION:
            del self.fields["measure"]

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "adjust" and data.get("value") is None:
            self.add_error("value", "请填写调整后的分值。")
        if decision in ("adjust", "reject") and not (data.get("reason") or "").strip():
            self.add_error("reason", "调整分值或不予认定须写明理由。")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "approve": data["decision"] != "reject",
            "value": data["value"] if data["decision"] == "adjust" else None,
            "reason": data.get("reason") or "",
            "measure": data.get("measure") or "",
        }


class _EntryForm(forms.Form):
    entry_type = ""

    def __init__(self, *args, scheme: Scheme, **kwargs):
        super().__init__(*args, prefix=self.entry_type, **kwargs)
        self.scheme = scheme

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"entry_type": self.entry_type, "kind": data["kind"], "value": data.get("value")}
        kwargs["reason"] = data["reason"]
        for name in ("measure", "level", "content_key", "own_duty", "occurred_on"):
            if name in data and data[name] not in (None, ""):
                kwargs[name] = data[name]
        return kwargs


class DeductionEntryForm(_EntryForm):
    entry_type = EntryType.DEDUCTION
    kind = forms.ChoiceField(label="减分项目")
    value = _points("扣减分值", help_text="每次扣减 5-10 分（三(三)）")
    measure = forms.ChoiceField(label="帮教整改方式")
    occurred_on = forms.DateField(label="发生日期", required=False, widget=DATE)
    reason = _reason(help_text="写明事实经过与支部审核认定意见")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k.code, f"{k.clause} {k.label}（{_range(k)}）") for k in self.scheme.deduction_kinds
        ]
        self.fields["measure"].choices = [("", "请选择"), *self.scheme.choices("measures")]


class BonusEntryForm(_EntryForm):
    entry_type = EntryType.BONUS
    kind = forms.ChoiceField(label="加分项目")
    value = _points("分值", required=False, help_text="表彰奖励按级别计分，不必填写")
    level = forms.ChoiceField(label="表彰级别", required=False)
    content_key = forms.CharField(label="表彰内容", max_length=200, required=False)
    own_duty = forms.BooleanField(label="属于本人工作岗位要求应履行的职责", required=False)
    occurred_on = forms.DateField(label="发生日期", required=False, widget=DATE)
    reason = _reason()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k.code, f"{k.clause} {k.label}（{_range(k)}）") for k in self.scheme.bonus_kinds
        ]
        self.fields["level"].choices = level_choices(self.scheme)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and has_levels(self.scheme, kind):
            data["value"] = level_value(self.scheme, kind, data.get("level") or "")
            if data["value"] is None:
                self.add_error("level", "受到党内表彰奖励须选择表彰级别。")
            if not (data.get("content_key") or "").strip():
                self.add_error("content_key", "请填写表彰内容。")
        else:
            data["level"], data["content_key"] = "", ""
            if data.get("value") is None:
                self.add_error("value", "请填写加分分值。")
        return data


class JudgmentEntryForm(_EntryForm):
    entry_type = EntryType.JUDGMENT
    kind = forms.ChoiceField(label="基础积分项目")
    value = _points("评定分值", help_text="低于满分须写明理由；本年度再次评定同一项目，以最新评定为准")
    reason = _reason("评定理由")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (i.code, f"{i.clause} {i.label}（满分 {i.cap:g} 分）")
            for i in self.scheme.base_items
            if i.method == "judgment"
        ]


ENTRY_FORMS = {form.entry_type: form for form in (DeductionEntryForm, BonusEntryForm, JudgmentEntryForm)}


class EntryCorrectForm(forms.Form):
    value = _points("更正后分值")
    reason = _reason("更正理由")

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, prefix=f"c{entry.pk}", **kwargs)
