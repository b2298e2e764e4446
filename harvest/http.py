"""The one way the harvest reads a public source over HTTP: polite, rate-limited and retried.

Every adapter reads its source through a ``SourceClient``. The client names the site and its
contact address in its User-Agent, spaces its requests as the source asks (one limit per source
name, shared by every client of that source in the process), tries again after a timeout, a lost
connection, 429 or 5xx, and turns whatever still fails into a ``SourceError`` whose message says
which source, which address and what happened, without any credential.
"""

import email.utils
import logging
import threading
import time
from datetime import datetime, timezone
from importlib import metadata
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from harvest.sources.base import SourceError

logger = logging.getLogger(__name__)

# Query parameters that carry a credential: never shown in a message or a log line.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token"})
# What a lookup of one work may answer when the source does not know it.
_MISSING_STATUSES = frozenset({404, 410})
# How much of an error body a message quotes.
_BODY_EXCERPT = 200


class _RequestSpacing:
    """When the last request to one source left, shared by every thread that reads it.

    Each caller reserves the moment its request may leave, one interval after the last one,
    under the lock, then sleeps outside it: concurrent callers queue one interval apart
    without holding the lock while they wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = float("-inf")

    def wait(self, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._last + interval)
            self._last = slot
        if slot > now:
            time.sleep(slot - now)


class _HiddenCredentials(logging.Filter):
    """Hides credentials in the addresses httpx logs for each request ("HTTP Request: GET …"):
    a query parameter named in SECRET_PARAMS shows as [hidden]."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _shown_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_HiddenCredentials())


_spacings: dict[str, _RequestSpacing] = {}
_spacings_lock = threading.Lock()


def _spacing_for(name: str) -> _RequestSpacing:
    with _spacings_lock:
        return _spacings.setdefault(name, _RequestSpacing())


def user_agent() -> str:
    """The User-Agent polite pools ask for: the software, the site and whom to write to, such
    as "research-directory/0.1.0 (+https://site.example; mailto:someone@site.example)"."""
    try:
        version = metadata.version("research-directory")
    except metadata.PackageNotFoundError:
        version = "0"
    site = urlsplit(settings.PUBLIC_URL)
    parts = [f"+{site.scheme}://{site.netloc}"] if site.netloc else []
    if settings.HARVEST_CONTACT_EMAIL:
        parts.append(f"mailto:{settings.HARVEST_CONTACT_EMAIL}")
    return f"research-directory/{version}" + (f" ({'; '.join(parts)})" if parts else "")


class SourceClient:
    """An HTTP client for one source named in ``settings.HARVEST_SOURCES``.

    ``get()`` answers the 2xx response; ``get_json()`` and ``get_text()`` its body. Each takes a
    path relative to the source's URL, or an absolute URL (a "next" link). With
    ``missing_ok=True`` a 404 or 410 answers None instead of raising: a lookup of one work uses
    it to say "this source does not know the work". ``api_key`` holds the source's optional
    ``API_KEY``; an adapter sends it as its source asks, and the client keeps it out of every
    message. Use one client per adapter, and ``close()`` it (or use it in a ``with`` block)."""

    def __init__(self, name: str):
        try:
            config = settings.HARVEST_SOURCES[name]
        except KeyError:
            raise ImproperlyConfigured(f"HARVEST_SOURCES has no source named {name!r}.") from None
        self.name = name
        self.base_url: str = config["URL"]
        self.api_key: str = config.get("API_KEY", "") or ""
        self.contact_email: str = settings.HARVEST_CONTACT_EMAIL
        rate = config.get("REQUESTS_PER_SECOND")
        if not isinstance(rate, int | float) or rate <= 0:
            raise ImproperlyConfigured(
                f"HARVEST_SOURCES[{name!r}]['REQUESTS_PER_SECOND'] must be a number above 0."
            )
        self.interval = 1 / rate
        self.retries: int = settings.HARVEST_RETRIES
        self.backoff: float = settings.HARVEST_BACKOFF_SECONDS
        self.longest_wait: float = settings.HARVEST_LONGEST_WAIT_SECONDS
        self._spacing = _spacing_for(name)
        self._http = httpx.Client(
            timeout=settings.HARVEST_TIMEOUT_SECONDS,
            headers={"User-Agent": user_agent()},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "SourceClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def url_for(self, path: str) -> str:
        """The address of ``path`` under the source's URL; an absolute URL stays as it is."""
        if urlsplit(path).scheme:
            return path
        if not path:
            return self.base_url
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def get(
        self,
        path: str,
        *,
        params: dict | None = None,
        accept: str | None = None,
        missing_ok: bool = False,
    ) -> httpx.Response | None:
        """The 2xx answer to GET ``path``, after the retries a busy source needs.

        Raises SourceError on any other answer, or None on 404/410 when ``missing_ok``."""
        headers = {"Accept": accept} if accept else {}
        try:
            request = self._http.build_request(
                "GET", self.url_for(path), params=params, headers=headers
            )
        except (httpx.InvalidURL, ValueError) as exc:
            raise SourceError(
                self._redact(f"{self.name}: cannot request {path!r}: {exc}")
            ) from None
        response = self._send_with_retries(request)
        if response.is_success:
            return response
        if missing_ok and response.status_code in _MISSING_STATUSES:
            return None
        raise SourceError(
            self._failure(request, f"answered {_status(response)}{_excerpt(response)}")
        )

    def get_json(self, path: str, *, params: dict | None = None, missing_ok: bool = False) -> Any:
        """The JSON body of GET ``path``; SourceError when the body is not JSON."""
        response = self.get(path, params=params, accept="application/json", missing_ok=missing_ok)
        if response is None:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise SourceError(
                self._failure(response.request, f"answered a body that is not JSON ({exc})")
            ) from None

    def get_text(
        self,
        path: str,
        *,
        params: dict | None = None,
        accept: str | None = None,
        missing_ok: bool = False,
    ) -> str | None:
        """The body of GET ``path`` as text (XML, Atom, BibTeX), decoded as the answer says."""
        response = self.get(path, params=params, accept=accept, missing_ok=missing_ok)
        return None if response is None else response.text

    # Sending ---------------------------------------------------------------------------------

    def _send_with_retries(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; on a transient failure wait and try again, ``retries`` times.

        Answers the last response (2xx or not); raises SourceError when no response came."""
        for attempt in range(self.retries + 1):
            self._spacing.wait(self.interval)
            try:
                response = self._http.send(request)
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                problem = _transport_problem(exc)
                if attempt == self.retries:
                    raise SourceError(
                        self._failure(request, f"{problem}{_attempts(attempt)}")
                    ) from None
                delay = self._backoff_delay(attempt, None)
            except httpx.HTTPError as exc:
                raise SourceError(self._failure(request, _transport_problem(exc))) from None
            else:
                if not _worth_another_try(response.status_code):
                    return response
                problem = f"answered {_status(response)}"
                if attempt == self.retries:
                    raise SourceError(
                        self._failure(request, f"{problem}{_excerpt(response)}{_attempts(attempt)}")
                    )
                delay = self._backoff_delay(attempt, response.headers.get("Retry-After"))
            logger.info("%s; trying again in %.2f s", self._failure(request, problem), delay)
            time.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff_delay(self, attempt: int, retry_after: str | None) -> float:
        """What the source asked for (Retry-After), else the exponential backoff; capped."""
        asked = _retry_after_seconds(retry_after)
        delay = asked if asked is not None else self.backoff * 2**attempt
        return max(0.0, min(delay, self.longest_wait))

    # Messages --------------------------------------------------------------------------------

    def _failure(self, request: httpx.Request, what: str) -> str:
        return self._redact(f"{self.name}: GET {_shown_target(request.url)} {what}")

    def _redact(self, text: str) -> str:
        return text.replace(self.api_key, "[hidden]") if self.api_key else text


def _shown_target(url: httpx.URL) -> str:
    """The path and query of ``url`` as a message shows them, credentials left out."""
    params = [(key, value) for key, value in url.params.multi_items() if key not in SECRET_PARAMS]
    query = urlencode(params, safe=":,*/")
    return url.path + (f"?{query}" if query else "")


def _shown_url(url: httpx.URL) -> str:
    """``url`` with the value of each credential parameter replaced by [hidden]."""
    if not any(key in SECRET_PARAMS for key in url.params):
        return str(url)
    params = [
        (key, "[hidden]" if key in SECRET_PARAMS else value)
        for key, value in url.params.multi_items()
    ]
    return str(url.copy_with(query=urlencode(params, safe=":,*/[]").encode()))


def _worth_another_try(status: int) -> bool:
    """Too many requests (429) or a server error (5xx): the source is busy or briefly broken."""
    return status == 429 or 500 <= status <= 599


def _status(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()


def _excerpt(response: httpx.Response) -> str:
    """The start of an error body, which often says what was wrong with the request."""
    try:
        text = " ".join(response.text.split())
    except (UnicodeDecodeError, LookupError):
        return ""
    if not text:
        return ""
    if len(text) > _BODY_EXCERPT:
        text = text[:_BODY_EXCERPT] + "…"
    return f": {text}"


def _attempts(attempt: int) -> str:
    return f" (after {attempt + 1} attempts)" if attempt else ""


def _transport_problem(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.TooManyRedirects):
        return "redirected too many times"
    detail = str(exc) or type(exc).__name__
    return f"could not be read ({detail})"


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
