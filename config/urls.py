from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from branches import views as branch_views

urlpatterns = [
    path("", branch_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("org/", include("branches.urls")),
    path("members/", include("members.urls")),
    path("points/", include("points.urls")),
    path("study/", include("study.urls")),
    path("admin/", admin.site.urls),
]
