"""The site's public address (DJANGO_PUBLIC_URL), which absolute links name: read from the
environment, refused when it is not a scheme and a host, guessed in production only when one
allowed host leaves no doubt."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
    "DJANGO_ALLOWED_HOSTS": "directory.example.org",
    "DATABASE_URL": "sqlite:////tmp/directory-public-address.sqlite3",
}
PRINT_PUBLIC_URL = "from config.settings import prod; print(prod.PUBLIC_URL)"


def production_settings(**environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", PRINT_PUBLIC_URL],
        cwd=BASE_DIR,
        env={**env, **PRODUCTION, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_public_address_is_the_one_the_environment_names():
    result = production_settings(DJANGO_PUBLIC_URL="https://research.example.org:8443/")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://research.example.org:8443"
    assert result.stderr == ""


def test_with_one_allowed_host_production_names_it_over_https_without_a_warning():
    result = production_settings()

    assert result.stdout.strip() == "https://directory.example.org"
    assert result.stderr == ""


def test_with_several_allowed_hosts_production_warns_which_one_it_names():
    result = production_settings(DJANGO_ALLOWED_HOSTS="directory.example.org,www.example.org")

    assert result.stdout.strip() == "https://directory.example.org"
    assert "DJANGO_PUBLIC_URL is not set" in result.stderr


def test_without_a_single_host_to_name_production_refuses_to_start():
    result = production_settings(DJANGO_ALLOWED_HOSTS=".example.org")

    assert result.returncode != 0
    assert "DJANGO_PUBLIC_URL must be set" in result.stderr


@pytest.mark.parametrize(
    "value",
    ["directory.example.org", "ftp://directory.example.org", "https://example.org/directory"],
)
def test_an_address_that_is_not_a_scheme_and_a_host_is_refused(value):
    result = production_settings(DJANGO_PUBLIC_URL=value)

    assert result.returncode != 0
    assert "DJANGO_PUBLIC_URL must be the site's public address" in result.stderr
