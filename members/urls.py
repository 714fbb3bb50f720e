from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/account/", views.account_create, name="account_create"),
    path("<int:pk>/transfer-out/", views.member_transfer_out, name="transfer_out"),
    path("<int:pk>/exemptions/new/", views.exemption_new, name="exemption_new"),
    path("exemptions/", views.exemption_list, name="exemptions"),
    path("exemptions/<int:pk>/step/", views.exemption_step, name="exemption_step"),
]

# Roster import/export (members/roster_views.py).
from . import roster_views  # noqa: E402

urlpatterns += [
    path("import/", roster_views.roster_import, name="import"),
    path("import/template.xlsx", roster_views.roster_template, name="import_template"),
    path("export/<int:org_pk>.xlsx", roster_views.roster_export, name="export"),
]
urlpatterns += [path("import/confirm/", roster_views.roster_import_confirm, name="import_confirm")]
