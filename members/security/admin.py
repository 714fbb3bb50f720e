"""Read-only admin pages for the security log and locks; /admin/login/ gets the lockout form."""

from django.contrib import admin

from members.models import AccountSecurity, LoginLock, SecurityEvent

from .forms import AdminLoginForm

admin.site.login_form = AdminLoginForm


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "outcome", "username", "ip", "path", "detail")
    list_filter = ("kind", "outcome")
    search_fields = ("username", "ip", "path")
    date_hierarchy = "at"


@admin.register(LoginLock)
class LoginLockAdmin(ReadOnlyAdmin):
    list_display = ("scope", "key", "locked_at", "until", "lifted_at")
    list_filter = ("scope",)


@admin.register(AccountSecurity)
class AccountSecurityAdmin(ReadOnlyAdmin):
    list_display = ("user", "must_change_password", "session_epoch", "password_changed_at")
