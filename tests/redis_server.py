"""A Redis server of a test's own, which the test may fill, starve of memory or stop, and the
site's caches pointed at it."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.config.test_app_servers import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SKIP_REASON = "needs redis-server (the Debian package redis-server)"


class RedisServer:
    """``redis-server`` on a free port, keeping nothing on disk."""

    def __init__(self, workdir: Path, *arguments: str):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(workdir)),
                *("--save", "", "--appendonly", "no", *arguments),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.02)

    def key_count(self) -> int:
        return self.client.dbsize()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.client.close()


def caches_on(url: str) -> dict:
    """The site's cache settings (config/settings/base.py), on the Redis at ``url``."""
    from django.conf import settings

    default = {
        **settings.CACHES["default"],
        "BACKEND": "core.cache_backends.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "own",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "RETRY_AFTER": 5},
    }
    return {**settings.CACHES, "default": default}


def own_redis_server(settings, tmp_path) -> Iterator[RedisServer]:
    """A Redis server of the test's own, which the site's caches use for the test's length: a
    fixture's body, skipped when redis-server is missing (unless REQUIRE_APP_SERVER_TESTS=1)."""
    if not Path(REDIS_SERVER).exists():
        if os.environ.get("REQUIRE_APP_SERVER_TESTS") == "1":
            pytest.fail(f"REQUIRE_APP_SERVER_TESTS=1 but this run {SKIP_REASON}", pytrace=False)
        pytest.skip(SKIP_REASON)
    server = RedisServer(tmp_path)
    # Changing CACHES makes Django open the caches again, on the new settings.
    settings.CACHES = caches_on(server.url)
    yield server
    server.stop()
