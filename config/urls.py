from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from branches import views as branch_views
from config import health
from members.security import views as security_views

urlpatterns = [
    path("", branch_views.home, name="home"),
    path("accounts/login/", security_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("org/", include("branches.urls")),
    path("members/", include("members.urls")),
    path("points/", include("points.urls")),
    path("study/", include("study.urls")),
    path("admin/", admin.site.urls),
]

# Accounts, the security log and the health probe (members/security/, config/health.py).
urlpatterns += [
    path("accounts/password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        security_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("security/", include("members.security.urls")),
    path("healthz", health.healthz, name="healthz"),
]
