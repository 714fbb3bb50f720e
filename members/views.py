from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import actor_for, get_object_for_user, path_q
from config.errors import error_text

from . import selectors, services
from .forms import ExemptionForm, ExemptionStepForm, MemberForm, TransferOutForm
from .models import Exemption


@require_GET
@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_for_user(
        request.user, selectors.visible_members(request.user), "members.view_member", pk=pk
    )
    context = {
        "member": member,
        "positions": selectors.member_positions(member),
        "history": selectors.member_history(member),
        "exemptions": selectors.member_exemptions(member),
        "can_change": request.user.has_perm("members.change_member", member),
        "transfer_form": TransferOutForm(),
        "this_year": timezone.localdate().year,
        "last_year": timezone.localdate().year - 1,
    }
    return render(request, "members/member_detail.html", context)


@require_POST
@login_required
def member_transfer_out(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_for_user(
        request.user, selectors.visible_members(request.user), "members.change_member", pk=pk
    )
    form = TransferOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写转出说明。")
        return redirect("members:detail", pk=member.pk)
    try:
        services.member_transfer_out(member=member, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{member.name}已转出，历史记录保留。")
    return redirect("members:detail", pk=member.pk)


@require_http_methods(["GET", "POST"])
@login_required
def exemption_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A member applies for themselves; a secretary may enter the application on their behalf."""
    member = get_object_for_user(
        request.user, selectors.visible_members(request.user), "members.view_member", pk=pk
    )
    if member.pk != actor_for(request.user).member_id and not request.user.has_perm(
        "members.change_member", member
    ):
        raise PermissionDenied
    form = ExemptionForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            services.exemption_apply(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "申请已提交，待支委会审核。")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/exemption_form.html", {"member": member, "form": form})


def _managed_exemptions(user):
    actor = actor_for(user)
    return Exemption.objects.filter(path_q(actor.manage_paths, "member__branch__path")).select_related(
        "member", "member__branch"
    )


@require_GET
@login_required
def exemption_list(request: HttpRequest) -> HttpResponse:
    if not actor_for(request.user).manage_paths:
        raise PermissionDenied
    return render(request, "members/exemption_list.html", {"exemptions": _managed_exemptions(request.user)})


@require_POST
@login_required
def exemption_step(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = get_object_for_user(
        request.user,
        Exemption.objects.filter(member__in=selectors.visible_members(request.user)).select_related(
            "member__branch"
        ),
        "members.change_member_exemption",
        pk=pk,
    )
    form = ExemptionStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "无效的操作。")
        return redirect("members:exemptions")
    step, reason = form.cleaned_data["step"], form.cleaned_data["reason"]
    try:
        if step == "reject":
            services.exemption_reject(exemption=exemption, actor=request.user, reason=reason)
        else:
            services.exemption_advance(exemption=exemption, step=step, actor=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{exemption.member.name}的申请：{exemption.get_state_display()}。")
    return redirect("members:exemptions")


EDITABLE = (
    "name",
    "gender",
    "category",
    "join_date",
    "probation_start",
    "probation_end",
    "group",
    "is_mobile",
    "mobile_destination",
    "activity_card_no",
    "phone",
)


@require_http_methods(["GET", "POST"])
@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_for_user(
        request.user, selectors.visible_members(request.user), "members.change_member", pk=pk
    )
    initial = {name: getattr(member, name) for name in EDITABLE}
    form = MemberForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in EDITABLE}
        for name in ("mobile_destination", "activity_card_no", "phone"):
            changes[name] = changes[name] or ""
        try:
            changed = services.member_update(
                member=member, actor=request.user, reason=form.cleaned_data["reason"], **changes
            )
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, errors in by_field.items():
                form.add_error(field if field in form.fields else None, "；".join(errors))
        else:
            messages.success(
                request, f"已保存：{len(changed)} 项变更已记入变更记录。" if changed else "没有变更。"
            )
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"member": member, "form": form})


@require_POST
@login_required
def account_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_for_user(
        request.user, selectors.visible_members(request.user), "members.change_member", pk=pk
    )
    try:
        password = services.member_account_create(member=member, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            f"已为{member.name}开通账号：用户名 {member.code}，初始密码 {password}"
            "（只显示这一次，请当面告知本人；首次登录须修改密码）。",
        )
    return redirect("members:detail", pk=member.pk)
