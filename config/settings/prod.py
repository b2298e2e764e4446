"""Production settings: every secret and host comes from the environment, or start-up fails."""

import os
import warnings

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env_bool, env_list, env_public_url, env_required

SECRET_KEY = env_required("DJANGO_SECRET_KEY")
env_required("DJANGO_ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=[])
env_required("DATABASE_URL")  # base.py already read it; production must not fall back to SQLite.
DEBUG = env_bool("DJANGO_DEBUG", default=False)


def _public_url() -> str:
    """DJANGO_PUBLIC_URL, or https:// and the first allowed host when it is unset: the only
    possible guess with one allowed host, which is then silent; with several, a warning says
    which one canonical links, the sitemap and the feeds name."""
    if os.environ.get("DJANGO_PUBLIC_URL", "").strip():
        return env_public_url("DJANGO_PUBLIC_URL", default="")
    hosts = [host for host in ALLOWED_HOSTS if host != "*" and not host.startswith(".")]
    if not hosts:
        raise ImproperlyConfigured(
            "The environment variable DJANGO_PUBLIC_URL must be set for production settings "
            "when DJANGO_ALLOWED_HOSTS names no single host, e.g. https://directory.example.org."
        )
    guess = f"https://{hosts[0]}"
    if len(ALLOWED_HOSTS) > 1:
        warnings.warn(
            f"DJANGO_PUBLIC_URL is not set: canonical links, the sitemap and the feeds name "
            f"{guess}. Set it to the address visitors use.",
            stacklevel=1,
        )
    return env_public_url("DJANGO_PUBLIC_URL", default=guess)


PUBLIC_URL = _public_url()

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS everywhere. Behind a reverse proxy that terminates TLS, name the header it sets, e.g.
# DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https".
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
_proxy_header = env_list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_header:
    if len(_proxy_header) != 2:
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER must be a header and a value, such as "
            '"HTTP_X_FORWARDED_PROTO,https".'
        )
    SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1])
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# /healthz answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
