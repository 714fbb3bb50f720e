"""Forms of the quarterly workflow pages: they parse what was typed; the workflow services decide.

Choices come from the branch's scheme (`Scheme.choices`), so a unit's 实施细则 shows its own kinds.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from config.uploads import check_upload

from ..models import EntryType, ObjectionChannel
from ..scoring import Scheme
from ..selectors.workflow import labels_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HALF_POINT = {"step": "0.5", "inputmode": "decimal"}
TEXT = {"rows": 3}


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


def _points(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(0),
        help_text=help_text,
        widget=forms.NumberInput(attrs=HALF_POINT),
    )


def _reason(label: str = "事由与依据", required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=500, required=required, help_text=help_text, widget=forms.Textarea(attrs=TEXT)
    )


def _range(kind) -> str:
    if getattr(kind, "levels", ()):
        return "、".join(f"{level.label} {level.value:g} 分" for level in kind.levels)
    low, high = kind.min_value, kind.max_value
    return f"{low:g} 分" if low == high else f"{low:g}-{high:g} 分"


def item_choices(scheme: Scheme, *types: str) -> list:
    """Grouped choices "<entry type>:<kind>" with the clause and the allowed points in each label."""
    groups = []
    if EntryType.BONUS in types:
        groups.append(
            (
                "加分项目",
                [(f"bonus:{k.code}", f"{k.clause} {k.label}（{_range(k)}）") for k in scheme.bonus_kinds],
            )
        )
    if EntryType.DEDUCTION in types:
        groups.append(
            (
                "减分项目",
                [
                    (f"deduction:{k.code}", f"{k.clause} {k.label}（{_range(k)}）")
                    for k in scheme.deduction_kinds
                ],
            )
        )
    if EntryType.JUDGMENT in types:
        groups.append(
            (
                "基础积分（支委会评定）",
                [
                    (f"judgment:{i.code}", f"{i.clause} {i.label}（满分 {i.cap:g} 分）")
                    for i in scheme.base_items
                    if i.method == "judgment"
                ],
            )
        )
    return [("", "请选择"), *groups]


def level_choices(scheme: Scheme) -> list[tuple[str, str]]:
    seen = {}
    for kind in scheme.bonus_kinds:
        for level in kind.levels:
            seen.setdefault(level.code, f"{level.label}（{level.value:g} 分）")
    return [("", "—"), *seen.items()]


def level_value(scheme: Scheme, kind: str, level: str) -> Decimal | None:
    for k in scheme.bonus_kinds:
        if k.code == kind:
            return next((lv.value for lv in k.levels if lv.code == level), None)
    return None


def has_levels(scheme: Scheme, kind: str) -> bool:
    return any(k.code == kind and k.levels for k in scheme.bonus_kinds)


def check_evidence(uploaded) -> ContentFile:
    """The app's one upload check (config.uploads): JPEG, PNG or PDF of at most 5 MB by content, images
    re-encoded without EXIF, stored under a random name (never the uploader's file name)."""
    try:
        return check_upload(uploaded).content
    except ValidationError as exc:
        raise forms.ValidationError(exc.messages, code="bad_upload") from None


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
        return check_evidence(uploaded) if uploaded else None

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
