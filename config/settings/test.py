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

# No test reaches the internet: a source a test forgot to point at its local server is refused
# at once (nothing listens on port 9), and retries do not wait.
for _source in HARVEST_SOURCES.values():  # noqa: F405
    _source["URL"] = "http://127.0.0.1:9"
HARVEST_BACKOFF_SECONDS = 0.01
HARVEST_LONGEST_WAIT_SECONDS = 0.1
HARVEST_TIMEOUT_SECONDS = 2.0
HARVEST_CONTACT_EMAIL = "directory@example.org"
