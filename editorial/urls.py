"""The editors' pages beside the admin's own, under /admin/."""

from django.contrib import admin
from django.urls import path

from .activity import recent_activity

urlpatterns = [
    path("activity/", admin.site.admin_view(recent_activity), name="admin_recent_activity"),
]
