"""Daily records (clause 四.1): calendar and attendance, QR sign-in, dues, thought reports, evidence."""

from django.urls import path

from .views import records as views

urlpatterns = [
    path("branches/<int:pk>/sessions/", views.session_list, name="sessions"),
    path("branches/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/qr/", views.session_qr, name="session_qr"),
    path("sessions/<int:pk>/qr.svg", views.session_qr_svg, name="session_qr_svg"),
    path("signin/<int:pk>/<str:token>/", views.signin, name="signin"),
    path("branches/<int:pk>/dues/<int:year>/", views.dues, name="dues"),
    path("branches/<int:pk>/thought-reports/", views.thought_reports, name="thought_reports"),
    path("thought-reports/<int:pk>/edit/", views.thought_report_change, name="thought_report_change"),
    path("branches/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
]
