from django import forms

from branches.models import Organization, OrgKind, PositionRole

from .models import Category, ExemptionReason, Gender, Member


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


class MemberForm(forms.Form):
    """The fields a secretary keeps up to date; placement is checked again by the service."""

    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    join_date = forms.DateField(
        label="入党日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    probation_start = forms.DateField(
        label="预备期开始", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    probation_end = forms.DateField(
        label="预备期结束", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group = forms.ModelChoiceField(label="党小组", queryset=Organization.objects.none(), required=False)
    is_mobile = forms.BooleanField(label="流动党员", required=False)
    mobile_destination = forms.CharField(label="流入地", max_length=100, required=False)
    activity_card_no = forms.CharField(label="流动党员活动证编号", max_length=40, required=False)
    phone = forms.RegexField(
        label="联系电话",
        regex=r"^[0-9+\- ]{0,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": "请填写正确的电话号码。"},
    )
    reason = forms.CharField(label="变更说明", max_length=200)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Organization.objects.filter(parent=member.branch, kind=OrgKind.GROUP)


class PositionForm(forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none())
    role = forms.ChoiceField(label="职务", choices=PositionRole.choices)
    start_date = forms.DateField(label="任职日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class PositionEndForm(forms.Form):
    end_date = forms.DateField(label="离任日期", widget=forms.DateInput(attrs={"type": "date"}))
