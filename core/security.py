"""Who is asking: the visitor's address, as the sign-in lockout counts it."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def client_ip(request: HttpRequest) -> str:
    """The address from the header the reverse proxy sets (``DJANGO_CLIENT_IP_HEADER``), else
    the address of the connection itself.

    Only a header that the proxy overwrites can be trusted: ``X-Forwarded-For`` as a visitor
    sent it would let anyone pick the address their failed attempts are counted against.
    """
    if settings.CLIENT_IP_HEADER:
        meta_key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
        value = request.META.get(meta_key, "").split(",")[0].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page shown instead of the sign-in form while a username is locked out from an
    address: what happened, for how long, and what to do."""
    from django.contrib import admin
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in temporarily blocked"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
    }
    # Rendered here: the middleware returns it after the view, where nothing renders a
    # TemplateResponse any more.
    return render(request, "admin/locked_out.html", context, status=429)
