"""Login, logout and password change (Django's views with our form and log), and the security log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET

from .forms import LoginForm, PasswordChangeNewForm, SecurityLogFilter
from .selectors import visible_login_locks, visible_security_events
from .services import password_changed

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            failure_limit=settings.LOGIN_FAILURE_LIMIT,
            lock_minutes=settings.LOGIN_LOCK_MINUTES,
            idle_minutes=settings.SESSION_IDLE_MINUTES,
            **kwargs,
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeNewForm
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(self.request, self.request.user)
        messages.success(self.request, "密码已修改。")
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    pass


@require_GET
@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    """安全审计日志: read-only, for the organization department (its own committee's events)."""
    if not request.user.has_perm("members.view_securityevent_log"):
        raise PermissionDenied
    form = SecurityLogFilter(request.GET or None)
    events = visible_security_events(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["username"]:
            events = events.filter(username__icontains=data["username"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "locks": visible_login_locks(request.user, timezone.now()),
        "retention_days": settings.SECURITY_LOG_RETENTION_DAYS,
    }
    return render(request, "security/log.html", context)
