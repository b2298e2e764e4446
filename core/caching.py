"""Caching, one idea in two parts: whole public pages, and ``memo()`` for what pages are built
from; both kept for the current *generation* of the data.

The generation is a number kept in the shared cache. Any save or delete of a model that public
pages show moves it on, when its transaction commits, so that nothing stored before the change
is ever read again (old entries simply expire). This is exact without tracking which page shows
what, and it works across app servers because the generation lives in the shared cache. Keys
also name the *release* (:func:`release`), so that new code or templates never read what an
earlier release stored, while app servers of both releases share the generation.

**Pages.** Views marked with :func:`cached_page` are the public pages; :class:`PageCacheMiddleware`
serves and stores them, as plain values (status, headers, content). Only anonymous GET and HEAD
requests are cached: a request carrying a session (an editor) or pending messages renders fresh,
and a response that sets a cookie, uses a CSRF token, or is not a plain 200 is not stored. A page
is kept under its path and the query parameters it declares it reads, never the host it was
asked from: its absolute links name the site's public address (``settings.PUBLIC_URL``).

**Values and fragments.** :func:`memo` (and :func:`memo_many`, :class:`MemoRows` for paginated
lists, the ``{% memo %}`` template tag) keeps a computed value or a rendered fragment for the
current generation and release, for at most ``settings.DATA_CACHE_SECONDS`` (0 keeps nothing:
every value is computed each time, the cold path). Values are plain: strings, numbers, and
tuples, lists and dicts of them, never model instances. An entry kept under a generation is the
only value its key will ever have, so each process also keeps copies of the entries it used
last, and a page then asks the shared cache for the generation and nothing else.

When the cache fails, its backend answers as if it held nothing
(:class:`core.cache_backends.RedisCache`): the generation is then unknown, and pages are built
from the database, with nothing read or stored.
"""

import hashlib
import io
import os
import pickle
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property, lru_cache, wraps
from importlib import metadata
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

import django_filters
from django import template
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
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
# Each process keeps copies of the memo entries it used last, up to this many bytes.
MEMO_COPIES_MAX_BYTES = 32 * 2**20
# Headers a 304 answer repeats from the cached page.
POLICY_HEADERS = ("Content-Security-Policy", "X-Frame-Options")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


# The query parameters each public page reads, declared with the page and normalised once: a
# page's cache keys and the links it builds from its own address hold these and nothing else.
#
# A view marked with :func:`cached_page` names what it reads (``query=``): plain
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


# The data's generation -------------------------------------------------------------------------

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
    """Drop every cached page and memo() entry: now, and again when the current transaction
    commits.

    The first move keeps this process from serving what it cached before the change; the second
    drops pages that other requests rendered from the old data while the transaction was open.
    """
    _next_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_next_generation)


def watch(*watched: type[models.Model]) -> None:
    """Move the generation on whenever one of these models (or many-to-many tables) changes:
    each app's ``ready()`` names the models its public pages show.

    Bulk writes send no signals: services that use them call :func:`pages_changed` themselves.
    """
    for model in watched:
        uid = f"page_cache:{model._meta.label}"
        post_save.connect(pages_changed, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(pages_changed, sender=model, dispatch_uid=f"{uid}:delete")
        if model._meta.auto_created:
            m2m_changed.connect(pages_changed, sender=model, dispatch_uid=f"{uid}:m2m")


# What pages are built from: memo() ----------------------------------------------------------


def memo(name: str, parts: object, compute: Callable[[], T]) -> T:
    """``compute()``, kept for the current generation and release under ``name`` and ``parts``
    (what the value depends on besides the data, such as a list's filters): an aggregate or a
    rendered fragment that pages show is then computed once per change of the data.

    The value must be plain (strings, numbers, and tuples, lists and dicts of them): a model
    instance is refused (TypeError), since it would carry whatever it had loaded into every
    later request, from a cache other app servers share.
    """
    scope = _memo_scope()
    if scope is None:
        return compute()
    key = _memo_key(scope, name, parts)
    found = _recalled([key])
    if key in found:
        return found[key]
    value = compute()
    _keep({key: value})
    return value


def memo_many(
    name: str,
    parts: object,
    keys: Iterable[K],
    compute_missing: Callable[[list[K]], Mapping[K, T]],
) -> dict[K, T]:
    """The value of each of ``keys`` (primary keys, say), as :func:`memo` keeps it under
    ``name`` and ``parts``, in one read of the cache: ``compute_missing`` is given the keys
    the cache does not hold, and returns their values (a key it leaves out is left out of the
    result, and kept nowhere)."""
    keys = list(dict.fromkeys(keys))
    scope = _memo_scope()
    if scope is None:
        return dict(compute_missing(keys)) if keys else {}
    cache_keys = {key: _memo_key(scope, name, (parts, key)) for key in keys}
    found = _recalled(list(cache_keys.values()))
    values = {key: found[cache_key] for key, cache_key in cache_keys.items() if cache_key in found}
    missing = [key for key in keys if key not in values]
    if missing:
        computed = dict(compute_missing(missing))
        _keep({cache_keys[key]: value for key, value in computed.items() if key in cache_keys})
        values.update(computed)
    return values


def _memo_scope() -> str | None:
    """The start of every memo key now: the generation and the release. None when nothing may
    be kept: a data cache lifetime of 0 (the cold path), or a generation unknown because the
    cache does not answer (copies kept under no generation could outlive a change)."""
    if settings.DATA_CACHE_SECONDS <= 0:
        return None
    generation = pages_generation()
    if generation is None:
        return None
    return f"memo:{generation}:{release()}"


def _memo_key(scope: str, name: str, parts: object) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"{scope}:{name}:{digest}"


def _recalled(keys: list[str]) -> dict[str, object]:
    """The values kept under ``keys``: this process's copies first, then the shared cache."""
    pickled = {}
    absent = []
    for key in keys:
        copy = _copies.get(key)
        if copy is None:
            absent.append(key)
        else:
            pickled[key] = copy
    if absent:
        for key, value in cache.get_many(absent).items():
            if isinstance(value, bytes):  # else not a memo entry: computed again
                _copies.keep(key, value)
                pickled[key] = value
    # Pickled by this process or another app server of the same release, never received.
    return {key: pickle.loads(value) for key, value in pickled.items()}  # noqa: S301


def _keep(values: dict[str, object]) -> None:
    """Store ``values`` in the shared cache, and copies of those stored in this process."""
    pickled = {key: _plain_pickle(value) for key, value in values.items()}
    failed = set(cache.set_many(pickled, settings.DATA_CACHE_SECONDS))
    for key, value in pickled.items():
        if key not in failed:
            _copies.keep(key, value)


class _PlainPickler(pickle.Pickler):
    def reducer_override(self, obj):
        # Called for whatever is not a plain builtin value, which stays as fast as pickle.
        if isinstance(obj, models.Model):
            raise TypeError(
                f"memo() keeps plain values, not model instances ({type(obj).__name__}): keep "
                "what is shown (names, counts, primary keys) or the rendered fragment."
            )
        return NotImplemented


def _plain_pickle(value: object) -> bytes:
    # Pickled once, for the shared cache and this process's copy alike: each reader unpickles
    # its own value, so that a caller never changes what the next one reads.
    buffer = io.BytesIO()
    _PlainPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class ProcessCopies:
    """Pickled values by key, the least recently used dropped first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._values: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def keep(self, key: str, value: bytes) -> None:
        size = len(key) + len(value)
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._values.pop(key, None)
            if previous is not None:
                self._bytes -= len(key) + len(previous)
            self._values[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old = self._values.popitem(last=False)
                self._bytes -= len(old_key) + len(old)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._bytes = 0


_copies = ProcessCopies(MEMO_COPIES_MAX_BYTES)


class MemoRows:
    """The rows of a list as Django's ``Paginator`` sees them: their number, and the primary
    keys of each page, kept with :func:`memo` under ``key`` (what the rows depend on besides
    the data: the list's name and filters, a researcher...), so that a page of a list costs
    no query while the data is unchanged.

    ``rows`` builds the queryset, and is called only when memo() does not hold what is asked;
    ``count``, when given, gives the number of rows (a caller that keeps it already). A page's
    entries are always primary keys: :meth:`in_bulk` gives the rows to render those whose
    rendering memo() does not hold.
    """

    def __init__(
        self,
        model: type[models.Model],
        rows: Callable[[], models.QuerySet],
        *,
        key: object,
        count: Callable[[], int] | None = None,
    ) -> None:
        self.model = model
        self.key = key
        self._build = rows
        self._count = count
        # Rows this list read for a page in this request: rendering them costs no new query.
        self._read: dict[object, models.Model] = {}

    @cached_property
    def rows(self) -> models.QuerySet:
        return self._build()

    def __len__(self) -> int:
        return self._length

    @cached_property
    def _length(self) -> int:
        if self._count is not None:
            return self._count()
        return memo("rows_count", self.key, lambda: self.rows.count())

    def __getitem__(self, index: slice) -> list:
        """The primary keys of the rows ``index`` (a slice, as Paginator asks) selects."""
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("MemoRows is sliced page by page, as Paginator does")
        start, stop, _step = index.indices(len(self))

        def read() -> list:
            rows = list(self.rows[start:stop])
            self._read.update((row.pk, row) for row in rows)
            return [row.pk for row in rows]

        return memo("rows_page", (self.key, start, stop), read)

    def in_bulk(self, ids: Iterable) -> dict:
        """The rows with these primary keys, by key: the ones read for a page in this request,
        and the others in one query. A row deleted since its page was kept is left out."""
        ids = list(ids)
        found = {pk: self._read[pk] for pk in ids if pk in self._read}
        unread = [pk for pk in ids if pk not in found]
        if unread:
            found.update(self.model._default_manager.in_bulk(unread))
        return found


register = template.Library()


class MemoNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, vary_on: list):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context: template.Context) -> str:
        values = [value.resolve(context) for value in self.vary_on]
        if any(isinstance(value, models.Model) for value in values):
            # Its key would be its name, which two objects may share: researcher.pk, say.
            raise TypeError(f"{{% memo {self.name} %}} varies on plain values, not objects")
        parts = (translation.get_language(), *values)
        return memo(f"fragment:{self.name}", parts, lambda: self.nodelist.render(context))


@register.tag("memo")
def memo_tag(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    """``{% memo name [value ...] %}...{% endmemo %}``: the fragment, rendered once per change of
    the data for each language and set of values, which must name whatever else the fragment
    shows (``{% memo profile_header researcher.pk %}``). Plain values: a primary key rather
    than an object. No template names a timeout: fragments expire as every memo entry does.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'memo' needs a fragment name: {% memo name ... %}")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


# Whole pages ----------------------------------------------------------------------------------


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
    if stored is None or stored[0] != generation:
        return None
    _generation, status, headers, content = stored
    return HttpResponse(content, status=status, headers=dict(headers))


def _store(request: HttpRequest, response: HttpResponse) -> None:
    """Keep the page as plain values (status, headers, content) with its generation."""
    generation = pages_generation()
    if generation is not None:  # else the cache does not answer: nothing to store
        key = _page_key(request, response.public_page)
        page = (generation, response.status_code, list(response.items()), response.content)
        cache.set(key, page, settings.PAGE_CACHE_SECONDS)


def cached_page(view=None, /, *, query: Iterable[QuerySource] = ()):
    """Mark the view's responses as public pages that :class:`PageCacheMiddleware` may keep.

    ``query`` names the query parameters the view reads (see :class:`Parameter`): the
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
