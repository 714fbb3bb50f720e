urlpatterns = []  # daily records: attendance, dues, thought reports (points/views/records.py)
