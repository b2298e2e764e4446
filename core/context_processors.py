"""Template context shared by every public page."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language_info


def site_root(request: HttpRequest) -> dict:
    """The site's public address (``settings.PUBLIC_URL``), for absolute links: the same
    whatever host the request named, so that a cached page is right for every request."""
    return {"site_root": settings.PUBLIC_URL}


def language_alternates(request: HttpRequest) -> dict:
    """The current page's address in each language: ``url`` for hreflang links (the canonical
    address, without the query string), ``switch_url`` for the language switch, which keeps the
    visitor's filters and page.

    A public page's request holds only the parameters the page reads, normalised
    (:mod:`core.caching`): they are kept, values included, since no filter value (topic and
    researcher slugs, kinds, years, sort orders) differs between the languages; anything else
    in the address is not. The query string is encoded again from the parsed parameters, so that
    whatever the visitor typed makes a valid address."""
    query = request.GET.urlencode()
    alternates = []
    for code, name in settings.LANGUAGES:
        url = _translated_path(request, code)
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


def _translated_path(request: HttpRequest, code: str) -> str:
    """The request's path in language ``code``: the view it resolved to, reversed in that
    language (what ``translate_url`` does, without resolving the path again)."""
    match = request.resolver_match
    if match is None:  # an error page: the path did not resolve to a view
        return translate_url(request.path, code)
    with translation.override(code):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return request.path
