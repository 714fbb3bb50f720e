urlpatterns = []  # reports, exports, dashboard (points/views/reports.py)
