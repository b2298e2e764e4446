"""Absolute addresses: links that name the site's public address whatever host a request named
(``public_url()``), and the address of a static file outside templates."""

from django.conf import settings
from django.templatetags.static import static


def public_url(path: str) -> str:
    """``path`` (a path from the site's root, as ``reverse()`` gives) as an absolute address at
    the site's public address (``settings.PUBLIC_URL``), whatever host a request named: a cached
    page, the sitemap and the feeds are the same for every request."""
    return f"{settings.PUBLIC_URL}{path}"


def fixed_static(path: str) -> str:
    """The address of the static file ``path``, as ``{% static %}`` gives it."""
    return static(path)
