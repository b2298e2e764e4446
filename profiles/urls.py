from django.urls import path
from django.utils.translation import gettext_lazy as _

from publications import converters  # noqa: F401 (registers <export_format:...>)

from . import views

app_name = "profiles"

urlpatterns = [
    path("", views.researcher_list, name="researcher_list"),
    path(_("researchers/<slug:slug>/"), views.researcher_detail, name="researcher_detail"),
    path(
        _("researchers/<slug:slug>/coauthors/"),
        views.researcher_coauthors,
        name="researcher_coauthors",
    ),
    path(
        _("researchers/<slug:slug>/publications.<export_format:fmt>"),
        views.researcher_export,
        name="researcher_export",
    ),
    path(_("topics/"), views.topic_list, name="topic_list"),
    path(_("topics/<slug:slug>/"), views.topic_detail, name="topic_detail"),
]
