"""Absolute addresses: links that name the site's public address whatever host a request named
(``public_url()``), the address of a static file outside templates, and the addresses of many
rows from one ``reverse()``."""

import re
from collections.abc import Callable

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse


def public_url(path: str) -> str:
    """``path`` (a path from the site's root, as ``reverse()`` gives) as an absolute address at
    the site's public address (``settings.PUBLIC_URL``), whatever host a request named: a cached
    page, the sitemap and the feeds are the same for every request."""
    return f"{settings.PUBLIC_URL}{path}"


def fixed_static(path: str) -> str:
    """The address of the static file ``path``, as ``{% static %}`` gives it."""
    return static(path)


# Values no row has: they mark where the varying argument goes in a reversed address.
_KEY_MARK = 987654321987
_SLUG_MARK = "slug-mark-0f3a9c"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def by_primary_key(view_name: str, **kwargs: object) -> Callable[[int], str]:
    """The address of ``view_name`` for any primary key ``pk`` (``kwargs``: its other
    arguments), from one ``reverse()``: a list that links hundreds of rows reverses each view
    once. Integer keys, which an address writes as they are."""
    before, after = _around(view_name, "pk", _KEY_MARK, kwargs)
    return lambda pk: f"{before}{int(pk)}{after}"


def by_slug(view_name: str, **kwargs: object) -> Callable[[str], str]:
    """The address of ``view_name`` for any ``slug``, as :func:`by_primary_key` for keys: an
    ASCII slug is written as it is; any other value is reversed on its own."""
    before, after = _around(view_name, "slug", _SLUG_MARK, kwargs)

    def address(slug: str) -> str:
        if _SLUG.fullmatch(slug):
            return f"{before}{slug}{after}"
        return reverse(view_name, kwargs={**kwargs, "slug": slug})

    return address


def _around(view_name: str, name: str, mark: object, kwargs: dict) -> tuple[str, str]:
    address = reverse(view_name, kwargs={**kwargs, name: mark})
    before, found, after = address.partition(str(mark))
    if not found or str(mark) in after:
        raise ValueError(f"{view_name}'s address does not hold its {name} once: {address}")
    return before, after
