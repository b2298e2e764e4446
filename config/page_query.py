"""The query parameters each public page reads, declared with the page and normalised once: a
page's cache keys and the links it builds from its own address hold these and nothing else.

A view marked with :func:`config.page_cache.cached_page` names what it reads (``query=``): plain
parameter names, :class:`Parameter` for one with a default or several values, and FilterSet
classes, whose declared filters are read. Its request then holds the declared parameters only,
normalised by :func:`normalised_query`: whatever else a visitor or a tracker adds (utm_source,
fbclid...) neither reaches the view, nor makes a new cache entry, nor travels into pagination,
filter or language links; the same filters in any order, repeated or with empty values, make
one address.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

import django_filters
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation


@dataclass(frozen=True)
class Parameter:
    """A query parameter a page reads: its value equal to ``default`` (or empty) is dropped; one
    read with ``getlist()`` (``multiple``) keeps each of its values once, sorted; any other keeps
    its last value, the one ``QueryDict.get()`` gives."""

    name: str
    default: str = ""
    multiple: bool = False


# The page number of a paginated list: the first page is the page without one.
PAGE = Parameter("page", default="1")

QuerySource = str | Parameter | type[django_filters.FilterSet]


def declared_parameters(sources: Iterable[QuerySource]) -> tuple[Parameter, ...]:
    """The parameters that ``sources`` name, sorted by name."""
    parameters: dict[str, Parameter] = {}
    for source in sources:
        if isinstance(source, str):
            source = Parameter(source)
        if isinstance(source, Parameter):
            parameters[source.name] = source
            continue
        for name, declared in source.base_filters.items():
            parameters[name] = Parameter(name, multiple=_reads_many_values(declared))
    return tuple(parameters[name] for name in sorted(parameters))


def _reads_many_values(declared: django_filters.Filter) -> bool:
    widget = declared.extra.get("widget") or declared.field_class.widget
    return bool(getattr(widget, "allow_multiple_selected", False))


def normalised_query(query: QueryDict, parameters: tuple[Parameter, ...]) -> QueryDict:
    """``query`` reduced to ``parameters``, in their order, each normalised (see
    :class:`Parameter`): the same for every query string a page shows the same for."""
    pairs = []
    for parameter in parameters:
        values = query.getlist(parameter.name)
        if parameter.multiple:
            kept = sorted({value for value in values if value})
        else:
            kept = values[-1:] if values and values[-1] else []
        pairs.extend((parameter.name, value) for value in kept if value != parameter.default)
    return QueryDict(urlencode(pairs), encoding=query.encoding)


def public_page_parameters(request: HttpRequest) -> tuple[Parameter, ...] | None:
    """The parameters that the public page at the request's address reads, or None when the
    address is not a public page's. Worked out before Django resolves the address itself (the
    page cache answers first), in the language the address names."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return getattr(match.func, "page_parameters", None)
    return _parameters_at(request.path_info, getattr(request, "urlconf", None))


@lru_cache(maxsize=4096)
def _parameters_at(path: str, urlconf: str | None) -> tuple[Parameter, ...] | None:
    # Resolving costs more than the rest of a cached page's lookup; a path always resolves to
    # the same view, so each path is resolved once (up to the cache's size).
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(path, urlconf)
        except Resolver404:
            return None
    return getattr(match.func, "page_parameters", None)


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    """Settings change in tests only: the URLs may then change with them."""
    _parameters_at.cache_clear()
