"""URLs of the load benchmark's server: the project's own, plus the minimal view of the baseline."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    """The baseline: Django's whole middleware stack; the view itself renders no template, runs no query."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [*project_urlpatterns, path("bench/minimal/", minimal, name="bench_minimal")]
