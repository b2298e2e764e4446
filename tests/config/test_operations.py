"""What operators rely on: production security settings and the health check."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "DJANGO_SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
    "DJANGO_ALLOWED_HOSTS": "directory.example.org",
    "DATABASE_URL": "sqlite:////tmp/directory-deploy-check.sqlite3",
}


def run_with_production_settings(*args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**env, **PRODUCTION, **extra},
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_reports_nothing_with_production_settings():
    result = run_with_production_settings(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_harden_https_and_cookies():
    result = run_with_production_settings(
        "-c",
        "import json; from config.settings import prod as s; print(json.dumps(["
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER]))",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )

    assert json.loads(result.stdout) == [
        31536000,
        True,
        True,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]


def test_a_malformed_proxy_header_setting_is_refused_with_its_name():
    result = run_with_production_settings(
        "-c", "import config.settings.prod", DJANGO_SECURE_PROXY_SSL_HEADER="https"
    )

    assert result.returncode != 0
    assert "DJANGO_SECURE_PROXY_SSL_HEADER must be a header and a value" in result.stderr


def test_pages_forbid_framing_and_limit_referrers(client, db):
    response = client.get("/fr/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_health_check_answers_when_database_and_cache_do(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_reports_a_cache_that_cannot_store_but_answers_200(client, settings):
    # A file-based cache under a path that cannot be a folder: every write really fails. Pages
    # are then built from the database: the site is slower, not down.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": "/dev/null/cache",
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "failing"}


PRINT_RELEASE = "import django; django.setup(); from core.caching import release; print(release())"


def test_app_servers_running_the_same_code_name_the_same_release():
    first = run_with_production_settings("-c", PRINT_RELEASE)
    second = run_with_production_settings("-c", PRINT_RELEASE)
    named = run_with_production_settings("-c", PRINT_RELEASE, DJANGO_RELEASE="2025.06 (v42)")
    named_again = run_with_production_settings("-c", PRINT_RELEASE, DJANGO_RELEASE="2025.06 (v42)")

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) == 16
    assert named.stdout == named_again.stdout
    assert named.stdout != first.stdout


@pytest.mark.parametrize("value", ["-5", "a day"])
def test_a_data_cache_lifetime_that_is_not_a_number_of_seconds_is_refused(value):
    result = run_with_production_settings(
        "-c", "import config.settings.prod", DJANGO_DATA_CACHE_SECONDS=value
    )

    assert result.returncode != 0
    assert "DJANGO_DATA_CACHE_SECONDS must be a whole number of seconds, at least 0" in (
        result.stderr
    )
