"""Settings for the test suite: fast hashing, plain static storage.

The cache is the one base.py configures: Redis when REDIS_URL is set, local memory otherwise."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The test client's address, whatever DJANGO_PUBLIC_URL the environment holds.
PUBLIC_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="research-directory-media-"))
# Serve static files straight from the source folders, as in development: no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
