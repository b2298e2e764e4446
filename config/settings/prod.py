"""Production settings: every secret and host comes from the environment, or start-up fails."""

from .base import *  # noqa: F403
from .base import STORAGES, env_bool, env_list, env_required

SECRET_KEY = env_required("DJANGO_SECRET_KEY")
env_required("DJANGO_ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=[])
env_required("DATABASE_URL")  # base.py already read it; production must not fall back to SQLite.
DEBUG = env_bool("DJANGO_DEBUG", default=False)

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
