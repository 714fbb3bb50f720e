"""Fields, choices and checks shared by the workflow forms.

Choices come from the branch's scheme (`Scheme.choices`), so a unit's 实施细则 shows its own kinds.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from config.uploads import check_upload

from ...models import EntryType
from ...scoring import Scheme

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
