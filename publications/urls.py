from django.urls import path

from . import (
    converters,  # noqa: F401 (registers <export_format:...>)
    views,
)

app_name = "publications"

urlpatterns = [
    path("", views.publication_list, name="publication_list"),
    path(
        "export.<export_format:fmt>",
        views.publication_list_export,
        name="publication_list_export",
    ),
    path("<int:pk>/", views.publication_detail, name="publication_detail"),
    path("<int:pk>/cite.<export_format:fmt>", views.publication_export, name="publication_export"),
]
