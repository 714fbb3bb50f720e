from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import SecurityEventKind, SecurityOutcome

from . import lockout
from .services import client_ip, log_event

# Django's own password fields take any length; a request is capped at 6 MB, a password need not be.
PASSWORD_MAX_LENGTH = 128


def _password_field(label: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(AuthenticationForm):
    """The login form with the lockout in front of the password check."""

    username = UsernameField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = _password_field("密码", "current-password")

    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "该账号已停用。",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        now = timezone.now()
        lock = lockout.active_lock(username, ip, now)
        if lock is not None:
            log_event(
                self.request,
                SecurityEventKind.LOGIN_FAILED,
                SecurityOutcome.DENIED,
                username=username,
                ip=ip,
                detail="锁定期间尝试登录，未校验密码",
            )
            raise ValidationError(lockout.lock_message(lock), code="locked")
        try:
            return super().clean()
        except ValidationError:
            if not self.cleaned_data.get("password"):
                raise
            lock = lockout.record_failure(self.request, username, ip, now)
            if lock is not None:
                raise ValidationError(lockout.lock_message(lock), code="locked") from None
            raise


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """/admin/login/ counts towards the same lockout (and a non-staff login there is a failure)."""

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": "请输入管理员账号的用户名和密码。",
    }


class PasswordChangeNewForm(PasswordChangeForm):
    old_password = _password_field("原密码", "current-password")
    new_password1 = _password_field("新密码", "new-password")
    new_password2 = _password_field("确认新密码", "new-password")

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise ValidationError("新密码不能与原密码相同。")
        return password


class SecurityLogFilter(forms.Form):
    kind = forms.ChoiceField(label="事件", required=False, choices=[("", "全部")] + SecurityEventKind.choices)
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部")] + SecurityOutcome.choices
    )
    username = forms.CharField(label="用户名", required=False, max_length=150)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
