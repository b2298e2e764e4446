"""Public pages cached whole for visitors, and dropped the moment anything they show changes.

Every cached page is stored under the current *generation*, a number kept in the shared cache.
Any save or delete of a model that public pages show moves the generation on, so that no page
stored before the change is ever read again; the old entries simply expire. This is exact
(nothing stale is served after a change is committed) without tracking which page shows what,
and it works across app servers because the generation lives in the shared cache.

Only anonymous GET and HEAD requests are cached: a request carrying a session (an editor) or
pending messages renders fresh, and a response that sets a cookie, uses a CSRF token, or is not
a plain 200 is not stored.
"""

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.translation import get_language

GENERATION_KEY = "pages:generation"


def pages_generation() -> int:
    """The current generation, started from the clock the first time (or after the cache lost
    it), so that a fresh start never reuses the number of an earlier one."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key is missing: any new start is a new generation
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def pages_changed(**_signal_kwargs) -> None:
    """Drop every cached page: now, and again when the current transaction commits.

    The first move keeps this process from serving what it cached before the change; the second
    drops pages that other requests rendered from the old data while the transaction was open.
    """
    _next_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_next_generation)


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


def _page_key(request: HttpRequest, generation: int) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"page:{generation}:{get_language()}:{digest}"


def _prepare(response: HttpResponse) -> None:
    # Browsers keep the page but ask each time; an unchanged page then costs a 304.
    set_response_etag(response)
    patch_cache_control(response, no_cache=True)


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an anonymous visitor's GET from the page cache, rendering and storing it on a
    miss. The stored response carries its ETag, so a repeat request can be answered 304."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _request_is_cacheable(request):
            return view(request, *args, **kwargs)
        key = _page_key(request, pages_generation())
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)

        def store(rendered: HttpResponse) -> None:
            if _response_is_cacheable(request, rendered):
                _prepare(rendered)
                cache.set(key, rendered, settings.PAGE_CACHE_SECONDS)

        if callable(getattr(response, "render", None)):
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapper
