"""Settings shared by every environment; each value that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, *, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable into a list without empty items."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_seconds(name: str, *, default: int, minimum: int = 0) -> int:
    """Read a number of seconds, refusing to start on a value that is not one."""
    value = os.environ.get(name, "").strip() or str(default)
    try:
        seconds = int(value)
    except ValueError:
        seconds = minimum - 1
    if seconds < minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number of seconds, "
            f"at least {minimum}; it is {value!r}."
        )
    return seconds


def env_required(name: str) -> str:
    """Read an environment variable that production cannot do without."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set for production settings."
        )
    return value


def env_public_url(name: str, *, default: str) -> str:
    """Read the site's public address, a scheme and a host (and port), refusing anything else:
    the paths are the site's own."""
    value = os.environ.get(name, "").strip() or default
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"The environment variable {name} must be the site's public address, a scheme and "
            f"a host such as https://directory.example.org; it is {value!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=[])
# The address visitors reach the site at, such as https://directory.example.org: canonical
# links, the sitemap, feeds and structured data name it, whatever Host header a request came
# with, so that a cached page is right for every request (development: runserver's address).
PUBLIC_URL = env_public_url("DJANGO_PUBLIC_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before it.
    "modeltranslation",
    # The project's apps register their models with django-reversion once modeltranslation
    # has added the translated fields, and before the admin would register them its own way.
    "profiles",
    "publications",
    "editorial",
    "harvest",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django.contrib.postgres",
    "axes",
    "csp",
    "reversion",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages for visitors, straight from the cache (see core/caching.py).
    "core.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Answers 304 to a repeat request for an unchanged page (ETag from the content).
    "core.caching.ConditionalGetMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Pages may not be framed; links to other sites say where they come from, not the full URL.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy on every page, the admin included: scripts, styles, images and fonts
# come from this site only, and nothing inline runs (JSON-LD data blocks are not scripts).
SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": ["'none'"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
    }
}

# Admin sign-in: after 5 failed attempts for one username from one address, that pair is locked
# out for DJANGO_LOGIN_LOCKOUT_MINUTES (15 by default); a successful sign-in clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
# Behind a reverse proxy, the header in which it passes the visitor's address, e.g.
# X-Real-IP; the proxy must overwrite whatever the visitor sent in it.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "").strip()

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "libraries": {
                "charts": "core.charts",
                "listing": "core.listing",
                "memo": "core.caching",
            },
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site_root",
                "core.context_processors.language_alternates",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Plan for SSD storage, where a page read at random costs about as much as one read in
    # sequence (PostgreSQL's default assumes spinning disks): otherwise a search for a common
    # word scans the whole table instead of the full-text index, four times slower. Options in
    # DATABASE_URL (?options=-c%20random_page_cost%3D4) replace it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The publication list's index carries extra columns (include=) so that PostgreSQL answers
    # from the index alone; SQLite builds it without them, which is all a demo needs. Django
    # warns about it at every command otherwise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL (redis://host:6379/0) gives a cache shared by every app server; without it each
# process keeps its own in memory, which is right for one process only. A failing Redis is a
# cache that holds nothing (core.cache_backends.RedisCache): pages are built from the database. The
# timeouts are short, so that a Redis that does not answer costs a page a fraction of a second
# (then none for RETRY_AFTER seconds), never a hung worker.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "directory"),
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.5,
                "health_check_interval": 30,
                "RETRY_AFTER": 5,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long what pages are built from (memo() in core/caching.py: counts, pages of results,
# rendered fragments) stays cached, page cache on or off; every entry expires, so that the cache
# does not grow with every change of the data.
# 0 keeps nothing: every page is then built from the database alone (the cold path).
DATA_CACHE_SECONDS = env_seconds("DJANGO_DATA_CACHE_SECONDS", default=24 * 60 * 60)
# How long a public page stays cached. Every change to what pages show invalidates them at once,
# so this only bounds the memory that pages nobody asks for again keep. 0 turns page caching off.
PAGE_CACHE_SECONDS = env_seconds("DJANGO_PAGE_CACHE_SECONDS", default=24 * 60 * 60)
# Names the code being served in cache keys, so that a new release never serves what an earlier
# one cached. Unset, it is a digest of the checkout's code, templates, translations and static
# files and of the installed dependencies (core.caching.release): new with any change, the
# same on every app server running the same code.
RELEASE = os.environ.get("DJANGO_RELEASE", "").strip()

# Background work (the preview and import of a large BibTeX file) is queued in the database and
# run by `manage.py db_worker` (`make worker`; `make run` and `make serve` start one): nothing
# else to install or run, on SQLite as on PostgreSQL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A BibTeX text up to this many bytes is previewed and imported within the request, as fast as
# a page (about 900 entries, under 2 seconds); a larger one goes to a worker, with a progress bar.
BIBTEX_IMPORT_INLINE_MAX_BYTES = int(
    os.environ.get("DJANGO_BIBTEX_IMPORT_INLINE_MAX_BYTES", "").strip() or 2**20
)

# Harvest: where each public source is read, how many requests a second it is sent (below each
# source's published limit), and who asks (its User-Agent names the site and this address, as
# Crossref's polite pool and OpenAlex ask). Tests and benchmarks point the URLs at a local server.
HARVEST_CONTACT_EMAIL = os.environ.get("HARVEST_CONTACT_EMAIL", "").strip()
HARVEST_TIMEOUT_SECONDS = float(os.environ.get("HARVEST_TIMEOUT_SECONDS", "").strip() or 20)
# A request that fails (a timeout, 429, 5xx) is tried again this many times, waiting
# HARVEST_BACKOFF_SECONDS, then twice that, ... or what Retry-After asks, up to the longest wait.
HARVEST_RETRIES = 3
HARVEST_BACKOFF_SECONDS = 1.0
HARVEST_LONGEST_WAIT_SECONDS = 120.0
HARVEST_SOURCES = {
    "orcid": {
        "URL": os.environ.get("HARVEST_ORCID_URL", "").strip() or "https://pub.orcid.org/v3.0",
        "REQUESTS_PER_SECOND": 8.0,  # the public API allows 12
    },
    "openalex": {
        "URL": os.environ.get("HARVEST_OPENALEX_URL", "").strip() or "https://api.openalex.org",
        "REQUESTS_PER_SECOND": 5.0,  # 10 allowed
        "API_KEY": os.environ.get("HARVEST_OPENALEX_API_KEY", "").strip(),
    },
    "crossref": {
        "URL": os.environ.get("HARVEST_CROSSREF_URL", "").strip() or "https://api.crossref.org",
        "REQUESTS_PER_SECOND": 3.0,  # the polite pool allows 10
    },
    "arxiv": {
        "URL": os.environ.get("HARVEST_ARXIV_URL", "").strip()
        or "https://export.arxiv.org/api/query",
        "REQUESTS_PER_SECOND": 1 / 3,  # one request every 3 seconds, as arXiv asks
    },
    "dblp": {
        "URL": os.environ.get("HARVEST_DBLP_URL", "").strip() or "https://dblp.org",
        "REQUESTS_PER_SECOND": 1.0,
    },
}
# Whether list items (profiles, the publication list, topic pages) say how often each work is
# cited, as the harvest last read it; the publication's own page always does.
SHOW_CITATION_COUNTS = env_bool("DJANGO_SHOW_CITATION_COUNTS", default=False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

# Translated model fields: French is the reference; an empty English field shows the French.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr",), "fr": ("en",)}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # The BibTeX import reports unreadable entries itself, by key and line.
    "loggers": {
        "bibtexparser": {"level": "ERROR"},
        # django-axes logs every sign-in; failures and lockouts are warnings and still show.
        "axes": {"level": "WARNING"},
    },
}
