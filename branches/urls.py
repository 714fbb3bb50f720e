from django.urls import path

from . import views

app_name = "branches"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.unit_detail, name="unit"),
    path("<int:pk>/positions/new/", views.position_new, name="position_new"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
]
