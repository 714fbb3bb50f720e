from . import records_urls, reports_urls, workflow_urls

app_name = "points"
urlpatterns = [*records_urls.urlpatterns, *workflow_urls.urlpatterns, *reports_urls.urlpatterns]
