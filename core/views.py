"""Site-wide views that belong to no app."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .addresses import fixed_static, public_url

logger = logging.getLogger(__name__)
# The icon's address changes with its content (hashed static names): browsers may keep the
# redirect for a day, not forever.
FAVICON_MAX_AGE = 24 * 60 * 60


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = public_url(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico whatever a page links: send them to the
    icon among the static files, which whitenoise serves compressed and cached."""
    response = HttpResponseRedirect(fixed_static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not healthy"; the log says which
        logger.exception("Health check: the database does not answer")
        return False


def _cache_answers() -> bool:
    # The Redis cache treats its own failures as misses (and logs them): a value written and
    # read back is the sign that it works. Other backends may raise.
    try:
        cache.set("healthz", "ok", timeout=10)
        return cache.get("healthz") == "ok"
    except Exception:  # any failure means "not healthy"; the log says which
        logger.exception("Health check: the cache does not answer")
        return False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Whether the database and the cache answer, for load balancers and monitoring: 503 when
    the database fails, since no page can be served; 200 otherwise, a failing cache included,
    since pages are then built from the database (slower, but right)."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    status = 200 if checks["database"] else 503
    body = {name: "ok" if healthy else "failing" for name, healthy in checks.items()}
    return JsonResponse(body, status=status)
