"""Public pages cached whole for visitors, and dropped the moment anything they show changes.

Every cached page is stored under the current *generation*, a number kept in the shared cache.
Any save or delete of a model that public pages show moves the generation on, so that no page
stored before the change is ever read again; the old entries simply expire. This is exact
(nothing stale is served after a change is committed) without tracking which page shows what,
and it works across app servers because the generation lives in the shared cache. Keys also
name the *release* (:func:`release`), so that new code or templates never serve pages that an
earlier release rendered, while app servers of both releases share the generation.

Views marked with :func:`cached_page` are the public pages; :class:`PageCacheMiddleware` serves
and stores them. Only anonymous GET and HEAD requests are cached: a request carrying a session
(an editor) or pending messages renders fresh, and a response that sets a cookie, uses a CSRF
token, or is not a plain 200 is not stored. A page is kept under its path and the query
parameters it declares it reads (:mod:`core.caching`), never the host it was asked from:
its absolute links name the site's public address (``settings.PUBLIC_URL``).

When the cache fails, its backend answers as if it held nothing
(:class:`core.cache_backends.RedisCache`): the generation is then unknown, and pages are built
from the database and not stored.
"""

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from importlib import metadata
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

import django_filters
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import BaseCache, cache, caches
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGetMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

GENERATION_KEY = "pages:generation"
# The generation expires too, like every entry: a new one then starts from the clock, which
# costs one cold start of the cache a month.
GENERATION_SECONDS = 30 * 24 * 60 * 60
# The cache alias for what public pages are built from: its keys are scoped to the current
# generation and release, and each process keeps copies of its entries (see
# core.cache_backends.GenerationalCache).
GENERATIONAL_CACHE = "generational"
# Headers a 304 answer repeats from the cached page.
POLICY_HEADERS = ("Content-Security-Policy", "X-Frame-Options")

T = TypeVar("T")


# The query parameters each public page reads, declared with the page and normalised once: a
# page's cache keys and the links it builds from its own address hold these and nothing else.
#
# A view marked with :func:`core.caching.cached_page` names what it reads (``query=``): plain
# parameter names, :class:`Parameter` for one with a default or several values, and FilterSet
# classes, whose declared filters are read. Its request then holds the declared parameters only,
# normalised by :func:`normalised_query`: whatever else a visitor or a tracker adds (utm_source,
# fbclid...) neither reaches the view, nor makes a new cache entry, nor travels into pagination,
# filter or language links; the same filters in any order, repeated or with empty values, make
# one address.


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


# Within a request, the generation read first (see PageCacheMiddleware): a page and the data
# it is built from are then read and stored under one generation, for one cache read.
_request_generation: ContextVar[int | None] = ContextVar("pages_generation", default=None)
_in_request: ContextVar[bool] = ContextVar("pages_generation_in_request", default=False)


def pages_generation() -> int | None:
    """The current generation, started from the clock the first time (or after the cache lost
    it), so that a fresh start never reuses the number of an earlier one; None while the cache
    does not answer."""
    generation = _request_generation.get()
    if generation is not None:
        return generation
    _settle_owed_generation()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=GENERATION_SECONDS)
        generation = cache.get(GENERATION_KEY)
    if _in_request.get():
        _request_generation.set(generation)
    return generation


# Set when a change could not move the generation because the cache did not answer: the next
# time this process reads the generation, it moves it first, so that once the cache answers
# again (a network cut, a Redis that kept its data) no page cached before the change is served.
_generation_owed = threading.Event()


def _settle_owed_generation() -> None:
    """Move the generation a change could not move, before this process reads it."""
    if _generation_owed.is_set():
        _next_generation()


def _next_generation() -> None:
    _request_generation.set(None)  # this request's next read sees the change
    _generation_owed.clear()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key is missing (any new start is a new generation), or no cache
        started = cache.add(GENERATION_KEY, time.time_ns(), timeout=GENERATION_SECONDS)
        if not started and cache.get(GENERATION_KEY) is None:
            _generation_owed.set()


def pages_changed(**_signal_kwargs) -> None:
    """Drop every cached page: now, and again when the current transaction commits.

    The first move keeps this process from serving what it cached before the change; the second
    drops pages that other requests rendered from the old data while the transaction was open.
    """
    _next_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_next_generation)


def generational_cache() -> BaseCache:
    """The cache for what public pages are built from, scoped to the current generation."""
    return caches[GENERATIONAL_CACHE]


def memo(name: str, parts: object, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the cache for the current generation: an aggregate that public
    pages show (facet counts, the topic index) is computed once per change of the data."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"data:{name}:{digest}"
    store = generational_cache()
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value)  # for the data cache's lifetime, DATA_CACHE_SECONDS
    return value


def watch(*watched: type[models.Model]) -> None:
    """Drop the cached pages whenever one of these models (or many-to-many tables) changes.

    Bulk writes send no signals: services that use them call :func:`pages_changed` themselves.
    """
    for model in watched:
        uid = f"page_cache:{model._meta.label}"
        post_save.connect(pages_changed, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(pages_changed, sender=model, dispatch_uid=f"{uid}:delete")
        if model._meta.auto_created:
            m2m_changed.connect(pages_changed, sender=model, dispatch_uid=f"{uid}:m2m")


def _request_is_cacheable(request: HttpRequest) -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _response_is_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _page_key(request: HttpRequest, parameters: tuple[Parameter, ...]) -> str:
    # The path holds the language (/fr/, /en/); the query string, what the page reads of it.
    query = normalised_query(request.GET, parameters).urlencode()
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return f"page:{release()}:{digest}"


def cached_response(request: HttpRequest) -> HttpResponse | None:
    """The page kept for this request's address, if it was stored in the current generation.

    A page is stored with the generation it was rendered in, under its address alone: the
    generation and the page then come in one read of the cache, and a page rendered again
    replaces the one of an earlier generation.
    """
    parameters = public_page_parameters(request)
    if parameters is None:
        return None
    key = _page_key(request, parameters)
    _settle_owed_generation()
    values = cache.get_many([GENERATION_KEY, key])
    generation = values.get(GENERATION_KEY)
    if generation is None:
        return None
    if _in_request.get():
        _request_generation.set(generation)
    stored = values.get(key)
    if stored is not None and stored[0] == generation:
        return stored[1]
    return None


def _store(request: HttpRequest, response: HttpResponse) -> None:
    generation = pages_generation()
    if generation is not None:  # else the cache does not answer: nothing to store
        key = _page_key(request, response.public_page)
        cache.set(key, (generation, response), settings.PAGE_CACHE_SECONDS)


def cached_page(view=None, /, *, query: Iterable[QuerySource] = ()):
    """Mark the view's responses as public pages that :class:`PageCacheMiddleware` may keep.

    ``query`` names the query parameters the view reads (see :mod:`core.caching`): the
    view's request holds those only, normalised, and so does the page's cache key. Used bare
    (``@cached_page``), the view reads none. ``@cached_page(query=(PageFilter, PAGE))`` marks a
    filtered, paginated list.
    """
    if view is None:
        return lambda view: cached_page(view, query=query)
    parameters = declared_parameters(query)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.GET = normalised_query(request.GET, parameters)
        response = view(request, *args, **kwargs)
        response.public_page = parameters
        return response

    wrapper.page_parameters = parameters
    return wrapper


class PageCacheMiddleware:
    """Answer a visitor's repeat request for a public page from the cache, before the rest of
    the middleware and the view run; store pages marked by :func:`cached_page` on the way out,
    with every header the inner middleware added (security policy, framing, ETag).

    It sits right after the security and static-file middleware, so that a cached page costs
    one read of the cache (the generation and the page together) and no database query.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        release()  # worked out as the server starts, not on a visitor's time

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_request = _in_request.set(True)
        generation = _request_generation.set(None)
        try:
            return self._respond(request)
        finally:
            _request_generation.reset(generation)
            _in_request.reset(in_request)

    def _respond(self, request: HttpRequest) -> HttpResponse:
        if not _request_is_cacheable(request):
            return self.get_response(request)
        # Pages are kept whatever host they were asked from: one the site does not serve gets
        # Django's answer (400, reported by its security log), never a cached page.
        request.get_host()
        cached = cached_response(request)
        if cached is not None:
            return self._from_cache(request, cached)
        response = self.get_response(request)
        parameters = getattr(response, "public_page", None)
        if parameters is not None and _response_is_cacheable(request, response):
            # Browsers keep the page but ask each time; an unchanged page then costs a 304.
            if not response.has_header("ETag"):
                set_etag(response)
            patch_cache_control(response, no_cache=True)
            _store(request, response)
        return response

    @staticmethod
    def _from_cache(request: HttpRequest, cached: HttpResponse) -> HttpResponse:
        response = get_conditional_response(request, etag=cached.get("ETag"), response=cached)
        if response is not cached:  # 304 Not Modified: the page's policies still apply
            for header in POLICY_HEADERS:
                if header in cached:
                    response[header] = cached[header]
        return response


# What shapes a page besides the data: the checkout's code, templates, translations and static
# files; not its tests, benchmarks, uploads, collected static files or notes.
RELEASE_SUFFIXES = frozenset(
    {".py", ".html", ".txt", ".xml", ".mo", ".css", ".js", ".svg", ".png", ".ico", ".woff2"}
    | {".json", ".toml"}
)
NOT_RELEASED = frozenset(
    {"tests", "bench", "media", "staticfiles", "backups", "test-artifacts", "node_modules"}
)


def release() -> str:
    """This release's name in cache keys: a digest of ``settings.RELEASE`` (DJANGO_RELEASE)
    when it is set, else of the code being served (:func:`code_fingerprint`)."""
    if settings.RELEASE:
        return _release_name(settings.RELEASE)
    return _served_code_fingerprint()


@lru_cache(maxsize=8)
def _release_name(name: str) -> str:
    # Digested: a name an operator chose may hold what a cache key may not (spaces).
    return hashlib.sha256(name.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _served_code_fingerprint() -> str:
    return code_fingerprint(Path(settings.BASE_DIR))


def code_fingerprint(base_dir: Path) -> str:
    """A digest of the files under ``base_dir`` that shape pages, by their paths from there,
    and of the installed versions of the project's dependencies: the same for the same code
    wherever it is checked out, different after any change of it; computed once per process."""
    digest = hashlib.sha256()
    for path in _release_files(base_dir):
        content = path.read_bytes()
        digest.update(f"{path.relative_to(base_dir).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    for name, version in _dependency_versions():
        digest.update(f"{name}=={version}\0".encode())
    return digest.hexdigest()[:16]


def _release_files(base_dir: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(base_dir):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if name not in NOT_RELEASED
            and not name.startswith((".", "__pycache__"))
            and not name.endswith(".egg-info")
        )
        for name in sorted(files):
            if Path(name).suffix in RELEASE_SUFFIXES:
                yield Path(folder, name)


def _dependency_versions() -> Iterator[tuple[str, str]]:
    """The installed version of each dependency the project declares (not the dev extra)."""
    try:
        requirements = metadata.requires("research-directory") or []
    except metadata.PackageNotFoundError:  # running from a checkout that was not installed
        return
    for requirement in sorted(requirements):
        if "extra ==" in requirement:
            continue
        name = re.match(r"[A-Za-z0-9._-]+", requirement).group()
        try:
            yield name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue


def set_etag(response: HttpResponse) -> None:
    """An ETag from the page's content, as Django's, by SHA-1 rather than MD5: twice as fast on
    a page of 100 KB (a tenth of a millisecond), and as good at telling two pages apart."""
    if not response.streaming and response.content:
        digest = hashlib.sha1(response.content, usedforsecurity=False).hexdigest()
        response["ETag"] = quote_etag(digest)


class ConditionalGetMiddleware(DjangoConditionalGetMiddleware):
    """Django's conditional GET (304 for an unchanged page), with :func:`set_etag`."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.method == "GET" and self.needs_etag(response) and "ETag" not in response:
            set_etag(response)
        return super().process_response(request, response)
