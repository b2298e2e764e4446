"""Addresses worked out once: template tags for links whose address depends on nothing but
the language (``{% load addresses %}``), such as the layout's, ``remembered_reverse()``, and
``public_url()`` for absolute links.

Every page links to the same few views and static files, and to itself in the other language;
reversing a URL or looking a static file up in the manifest costs more than the rest of a
link, a dozen times a page. Each address is worked out once per language and kept for the
life of the process.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


def remembered_reverse(name: str, args: tuple = (), kwargs: dict | None = None) -> str:
    """``reverse()``, worked out once for each language and kept for the process's life
    (arguments that cannot be remembered, such as a URL pattern's dictionary of sitemaps, are
    reversed each time)."""
    arguments = tuple(sorted((kwargs or {}).items()))
    try:
        return _reversed(name, args, arguments, get_language(), get_script_prefix(), get_urlconf())
    except TypeError:  # an argument is not hashable
        return reverse(name, args=args, kwargs=kwargs, urlconf=get_urlconf())


def public_url(path: str) -> str:
    """``path`` (a path from the site's root, as ``reverse()`` gives) as an absolute address at
    the site's public address (``settings.PUBLIC_URL``), whatever host a request named: a cached
    page, the sitemap and the feeds are the same for every request."""
    return f"{settings.PUBLIC_URL}{path}"


@register.simple_tag
def fixed_url(name: str, **kwargs: str) -> str:
    """``{% url name ... %}`` for a view and arguments that are the same on every page."""
    return remembered_reverse(name, kwargs=kwargs)


@register.simple_tag
def fixed_static(path: str) -> str:
    """``{% static path %}``."""
    return _static(path)


@lru_cache(maxsize=8192)
def _reversed(
    name: str,
    args: tuple,
    arguments: tuple,
    language: str | None,
    prefix: str,
    urlconf: str | None,
) -> str:
    # The active language and script prefix are part of the key, and reverse() reads them.
    return reverse(name, args=args, kwargs=dict(arguments) or None, urlconf=urlconf)


@lru_cache(maxsize=128)
def _static(path: str) -> str:
    return static(path)


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    """Settings change in tests only: addresses may then change with them."""
    _reversed.cache_clear()
    _static.cache_clear()
