from django.urls import path

from .views import reports

# Reports, exports, imports and the dashboard (points/views/reports.py), under /points/reports/.
urlpatterns = [
    path("reports/", reports.reports_index, name="reports"),
    path("reports/dashboard/", reports.dashboard_view, name="dashboard"),
    path("reports/units/<int:pk>/<int:year>/annual.xlsx", reports.annual_workbook, name="annual_workbook"),
    path("reports/units/<int:pk>/<int:year>/annual.pdf", reports.annual_report_pdf, name="annual_report_pdf"),
    path("reports/units/<int:pk>/<int:year>/results.xlsx", reports.results_export, name="results_export"),
    path("reports/units/<int:pk>/<int:year>/entries.xlsx", reports.entries_export, name="entries_export"),
    path(
        "reports/quarters/<int:pk>/publicity.pdf", reports.quarter_publicity_pdf, name="quarter_publicity_pdf"
    ),
    path("reports/filings/<int:pk>/publicity.pdf", reports.annual_publicity_pdf, name="annual_publicity_pdf"),
    path("reports/sheets/<int:pk>.pdf", reports.member_sheet_pdf, name="member_sheet_pdf"),
    path("reports/import/<slug:kind>/", reports.import_data, name="import_data"),
    path("reports/import/<slug:kind>/template.xlsx", reports.import_template, name="import_template"),
]
