"""Template tags for fixed addresses (``{% load addresses %}``): links whose address depends
on nothing but the language, such as the layout's.

Every page links to the same few views and static files; reversing a URL or looking a static
file up in the manifest costs more than the rest of a link, a dozen times a page. These tags
work each address out once per language and keep it for the life of the process.
"""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def fixed_url(name: str, **kwargs: str) -> str:
    """``{% url name ... %}`` for a view and arguments that are the same on every page."""
    arguments = tuple(sorted(kwargs.items()))
    return _reversed(name, arguments, get_language(), get_script_prefix(), get_urlconf())


@register.simple_tag
def fixed_static(path: str) -> str:
    """``{% static path %}``."""
    return _static(path)


@lru_cache(maxsize=256)
def _reversed(
    name: str, arguments: tuple, language: str | None, prefix: str, urlconf: str | None
) -> str:
    # The active language and script prefix are part of the key, and reverse() reads them.
    return reverse(name, kwargs=dict(arguments), urlconf=urlconf)


@lru_cache(maxsize=128)
def _static(path: str) -> str:
    return static(path)


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    """Settings change in tests only: addresses may then change with them."""
    _reversed.cache_clear()
    _static.cache_clear()
