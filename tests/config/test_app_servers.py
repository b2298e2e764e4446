"""Two gunicorn app servers with the production settings, sharing one PostgreSQL database and
one Redis cache, as behind a load balancer: a change an editor saves through one is shown by
the other on the next request, and both serve hashed, compressed static files.

Runs when the tests run on PostgreSQL with REDIS_URL set (``.ci/run`` does); with
REQUIRE_APP_SERVER_TESTS=1 a missing service fails instead of skipping.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
PROFILE = "/fr/chercheurs/razvan-pascanu/"
PASSWORD = "two servers, one truth"
SKIP_REASON = "needs PostgreSQL and REDIS_URL (two app servers share them)"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _services_present():
    if connection.vendor == "postgresql" and settings.REDIS_URL:
        return
    if os.environ.get("REQUIRE_APP_SERVER_TESTS") == "1":
        pytest.fail(f"REQUIRE_APP_SERVER_TESTS=1 but this run {SKIP_REASON}", pytrace=False)
    pytest.skip(SKIP_REASON)


class Server:
    """One gunicorn app server on a port of its own, spoken to as a TLS proxy would."""

    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.port = port
        self.process = process
        self.log = log
        self.cookies: dict[str, str] = {}

    def log_tail(self) -> str:
        """The end of the server's error log, for a failing assertion to show."""
        return self.log.read_text(errors="replace")[-4000:]

    def request(self, method: str, path: str, body: dict | None = None, **headers: str):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "fr",
            **headers,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = None
        if body is not None:
            payload = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
        connection.request(method, path, payload, headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        connection.close()
        return response, content.decode("utf-8", "replace")

    def get(self, path: str, **headers: str):
        return self.request("GET", path, **headers)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(static_root: Path) -> dict[str, str]:
    database = connection.settings_dict
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "app-servers-" + "x9" * 25,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "DJANGO_STATIC_ROOT": str(static_root),
        # The uploaded files every server sees, as a shared volume would be (the demo portrait).
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_CACHE_KEY_PREFIX": f"app-servers-{os.getpid()}",
        "WEB_CONCURRENCY": "2",
    }


def start_server(environment: dict[str, str], log: Path) -> Server:
    port = free_port()
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "config/gunicorn.py"],
            cwd=BASE_DIR,
            env={**environment, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    server = Server(port, process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            response, _ = server.get("/healthz")
        except OSError:
            time.sleep(0.2)
            continue
        if response.status == 200:
            return server
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"gunicorn did not answer: {server.log_tail()}")


@pytest.fixture
def servers(tmp_path) -> Iterator[tuple[Server, Server]]:
    call_command("loaddemo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    environment = production_environment(tmp_path / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=environment,
        check=True,
    )
    # An editor account made the way an operator makes one, hashed as production hashes.
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "createsuperuser",
            "--no-input",
            "--username",
            "chief",
            "--email",
            "chief@example.org",
        ],
        cwd=BASE_DIR,
        env={**environment, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
    )
    first = start_server(environment, tmp_path / "first.log")
    second = start_server(environment, tmp_path / "second.log")
    yield first, second
    for server in (first, second):
        server.process.terminate()
        server.process.wait(timeout=30)


def sign_in(server: Server, username: str) -> None:
    _, page = server.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response, _ = server.request(
        "POST",
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
    )
    assert response.status == 302, f"sign-in failed: {server.log_tail()}"


def test_a_change_saved_through_one_server_is_shown_by_the_other(servers):
    first, second = servers

    response, page = second.get(PROFILE)
    assert response.status == 200
    assert "Chercheur invité" not in page
    etag = response.getheader("ETag")
    response, _ = second.get(PROFILE, **{"If-None-Match": etag})
    assert response.status == 304  # served from the shared cache

    sign_in(first, "chief")
    from profiles.models import Researcher

    researcher = Researcher.objects.get(slug="razvan-pascanu")
    change_url = f"/admin/profiles/researcher/{researcher.pk}/change/"
    _, form = first.get(change_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    snapshot = unescape(re.search(r'name="edit_snapshot" value="([^"]*)"', form).group(1))
    response, page = first.request(
        "POST",
        change_url,
        {
            "csrfmiddlewaretoken": token,
            "edit_snapshot": snapshot,
            "given_name": "Razvan",
            "family_name": "Pascanu",
            "slug": "razvan-pascanu",
            "is_published": "on",
            "membership": researcher.membership,
            "position_fr": "Chercheur invité",
            "position_en": "Visiting researcher",
            "organization": "Mila",
            "topics": [str(pk) for pk in researcher.topics.values_list("pk", flat=True)],
            # The supervision inlines, as supervisor and as student: no rows.
            **{
                f"{prefix}-{name}": "0"
                for prefix in ("supervisions", "supervised_by")
                for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")
            },
        },
    )
    assert response.status == 302, first.log_tail() or unescape(page)[:3000]

    response, page = second.get(PROFILE, **{"If-None-Match": etag})
    assert response.status == 200
    assert "Chercheur invité" in page
    response, page = second.get("/en/researchers/razvan-pascanu/")
    assert "Visiting researcher" in page


def test_static_files_are_hashed_compressed_and_cached_for_ever(servers):
    _, second = servers
    _, page = second.get(PROFILE)
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)

    response, _ = second.get(stylesheet, **{"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    cache_control = response.getheader("Cache-Control")
    assert "immutable" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= 365 * 24 * 3600


def test_the_health_check_answers_for_the_database_and_the_cache(servers):
    first, _ = servers
    response, body = first.get("/healthz")

    assert response.status == 200
    assert body == '{"database": "ok", "cache": "ok"}'
