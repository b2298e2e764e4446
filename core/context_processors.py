"""Template context shared by every public page."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language_info


def site_root(request: HttpRequest) -> dict:
    """The site's public address (``settings.PUBLIC_URL``), for absolute links: the same
    whatever host the request named, so that a cached page is right for every request."""
    return {"site_root": settings.PUBLIC_URL}


# Values of an address that differ between the languages (a research topic's slug, in its page's
# path and in ``?topic=`` filters). The app that owns such values registers them (core imports no
# app): for path keywords, by view name, and for query parameters, a function that gives each
# value it knows in every language. Any other value is the same in every language.
ValuesInLanguages = Callable[[list[str]], dict[str, dict[str, str]]]
_path_values: dict[tuple[str, str], ValuesInLanguages] = {}
_query_values: dict[str, ValuesInLanguages] = {}


def translated_address_values(
    values_in_languages: ValuesInLanguages,
    *,
    path: Iterable[tuple[str, str]] = (),
    query: Iterable[str] = (),
) -> None:
    """Give the language links the values of these path keywords (``(view name, keyword)``)
    and query parameters in each language: ``values_in_languages(values)`` maps each of the
    values it knows to ``{language code: value}``."""
    for view_name, keyword in path:
        _path_values[(view_name, keyword)] = values_in_languages
    for name in query:
        _query_values[name] = values_in_languages


def language_alternates(request: HttpRequest) -> dict:
    """The current page's address in each language: ``url`` for hreflang links (the canonical
    address, without the query string), ``switch_url`` for the language switch, which keeps the
    visitor's filters and page.

    A public page's request holds only the parameters the page reads, normalised
    (:mod:`core.caching`): they are kept, values included, each in the other language where it
    differs (see :func:`translated_address_values`); anything else in the address is not. The
    query string is encoded again from the parsed parameters, so that whatever the visitor
    typed makes a valid address."""
    kwargs_in, query_in = _values_in_languages(request)
    alternates = []
    for code, name in settings.LANGUAGES:
        url = _translated_path(request, code, kwargs_in)
        query = _translated_query(request.GET, code, query_in)
        alternates.append(
            {
                "code": code,
                "name": name,
                "local_name": capfirst(get_language_info(code)["name_local"]),
                "url": url,
                "switch_url": f"{url}?{query}" if query else url,
            }
        )
    return {"language_alternates": alternates}


Translations = dict[str, dict[str, dict[str, str]]]


def _values_in_languages(request: HttpRequest) -> tuple[Translations, Translations]:
    """The registered values of the request's path keywords and query parameters, each in every
    language, by keyword or parameter name."""
    kwargs_in: Translations = {}
    match = request.resolver_match
    if match is not None:
        for keyword, value in match.kwargs.items():
            found = _path_values.get((match.view_name, keyword))
            if found is not None:
                kwargs_in[keyword] = found([str(value)])
    query_in: Translations = {}
    for name, found in _query_values.items():
        values = request.GET.getlist(name)
        if values:
            query_in[name] = found(values)
    return kwargs_in, query_in


def _translated_query(query: QueryDict, code: str, query_in: Translations) -> str:
    if not query_in:
        return query.urlencode()
    query = query.copy()
    for name, translations in query_in.items():
        values = query.getlist(name)
        query.setlist(name, sorted({translations.get(v, {}).get(code, v) for v in values}))
    return query.urlencode()


def _translated_path(request: HttpRequest, code: str, kwargs_in: Translations) -> str:
    """The request's path in language ``code``: the view it resolved to, reversed in that
    language (what ``translate_url`` does, without resolving the path again), with the values
    that differ between languages in that language's."""
    match = request.resolver_match
    if match is None:  # an error page: the path did not resolve to a view
        return translate_url(request.path, code)
    kwargs = dict(match.kwargs)
    for keyword, translations in kwargs_in.items():
        kwargs[keyword] = translations.get(str(kwargs[keyword]), {}).get(code, kwargs[keyword])
    with translation.override(code):
        try:
            return reverse(match.view_name, args=match.args, kwargs=kwargs)
        except NoReverseMatch:
            return request.path
