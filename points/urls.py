from . import records_urls, workflow_urls

app_name = "points"
urlpatterns = [*records_urls.urlpatterns, *workflow_urls.urlpatterns]
