from django import forms

from .models import ExemptionReason


class ExemptionForm(forms.Form):
    year = forms.IntegerField(label="积分年度", min_value=2020, max_value=2100)
    reason = forms.ChoiceField(label="申请理由", choices=ExemptionReason.choices)
    detail = forms.CharField(label="情况说明", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))


class ExemptionStepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[
            ("review", "支委会审核通过"),
            ("pass", "党员大会通过"),
            ("publicize", "开始公示"),
            ("confirm", "公示期满无异议"),
            ("reject", "不予通过"),
        ]
    )
    reason = forms.CharField(label="说明", max_length=300, required=False)


class TransferOutForm(forms.Form):
    reason = forms.CharField(label="转出说明", max_length=200)
