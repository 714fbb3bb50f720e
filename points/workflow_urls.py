urlpatterns = []  # quarterly workflow (points/views/workflow.py)
