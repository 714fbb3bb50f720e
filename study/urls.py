from django.urls import path

from .views import arrangements, inspections, mine, notices, sessions

app_name = "study"
urlpatterns = [
    path("", arrangements.arrangement_list, name="arrangements"),
    path("arrangements/new/", arrangements.arrangement_new, name="arrangement_new"),
    path("arrangements/<int:pk>/", arrangements.arrangement_detail, name="arrangement_detail"),
    path("arrangements/<int:pk>/edit/", arrangements.arrangement_edit, name="arrangement_edit"),
    path("arrangements/<int:pk>/publish/", arrangements.arrangement_publish, name="arrangement_publish"),
    path(
        "arrangements/<int:pk>/revisions/", arrangements.arrangement_revisions, name="arrangement_revisions"
    ),
    path("arrangements/<int:pk>/print.pdf", arrangements.arrangement_print, name="arrangement_pdf"),
    path("arrangements/<int:pk>/sessions/new/", sessions.session_new, name="session_new"),
    path("readings/<int:pk>/file/", arrangements.reading_file, name="reading_file"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/record/", sessions.session_record, name="session_record"),
    path("sessions/<int:pk>/attachments/", sessions.attachment_upload, name="attachment_upload"),
    path("sessions/<int:pk>/reschedule/", sessions.reschedule_new, name="reschedule_new"),
    path("attachments/<int:pk>/", sessions.attachment_file, name="attachment"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/<int:pk>/forward/", notices.notice_forward, name="notice_forward"),
    path("notices/<int:pk>/accept/", notices.notice_accept, name="notice_accept"),
    path("notices/<int:pk>/return/", notices.notice_return, name="notice_return"),
    path("inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/answer/", inspections.inspection_answer, name="inspection_answer"),
    path("branches/<int:pk>/inspections/new/", inspections.inspection_new, name="inspection_new"),
    path("completion/", inspections.completion, name="completion"),
    path("completion.xlsx", inspections.completion_export, name="completion_xlsx"),
    path("mine/", mine.my_study, name="mine"),
]
