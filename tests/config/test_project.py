"""Project-wide checks: migrations, settings, translations, the local admin command."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def import_prod_settings(**environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.prod"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret",
    "DJANGO_ALLOWED_HOSTS": "directory.example.org",
    "DATABASE_URL": "postgres://directory@db.example.org/directory",
}


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENVIRONMENT))
def test_production_settings_refuse_to_start_without_a_required_variable(missing):
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != missing}

    result = import_prod_settings(**environment)

    assert result.returncode != 0
    assert f"The environment variable {missing} must be set" in result.stderr


def test_production_settings_start_with_every_variable():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config.settings import prod; "
            "print(prod.DEBUG, prod.ALLOWED_HOSTS, prod.STORAGES['staticfiles']['BACKEND'], "
            "prod.MIDDLEWARE[1])",
        ],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            **PRODUCTION_ENVIRONMENT,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "False",
        "['directory.example.org']",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_compiled_french_translations_match_the_catalogue():
    catalogue = polib.pofile(str(BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert catalogue.percent_translated() == 100
    with translation.override("fr"):
        for entry in catalogue:
            if entry.obsolete or entry.msgid_plural:
                continue
            if entry.msgctxt:
                assert translation.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
            else:
                assert translation.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.django_db
def test_localadmin_creates_an_admin_and_prints_its_password(settings):
    settings.DEBUG = True
    output = io.StringIO()

    call_command("localadmin", stdout=output)

    password = output.getvalue().split("password:")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser
    assert user.is_staff
    assert user.check_password(password)

    call_command("localadmin", stdout=io.StringIO())
    user.refresh_from_db()
    assert not user.check_password(password)


@pytest.mark.django_db
def test_localadmin_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("localadmin", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def manage_on_sqlite(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``manage.py`` as `make run` calls it: development settings, a SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["DJANGO_MEDIA_ROOT"] = str(tmp_path / "media")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_checks_and_migrations_on_sqlite_print_no_warning(tmp_path):
    check = manage_on_sqlite(tmp_path, "check")
    migrate = manage_on_sqlite(tmp_path, "migrate", "--no-input")

    assert check.stdout.startswith("System check identified no issues")
    for output in (check.stderr, migrate.stdout, migrate.stderr):
        assert "WARNING" not in output
        assert "W040" not in output


MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make_commands(target: str, venv: Path) -> list[str]:
    """The commands ``make target`` would run with this virtual environment (``make -n``)."""
    result = subprocess.run(
        [MAKE, "-n", target, f"VENV={venv}"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def installs(commands: list[str]) -> list[str]:
    return [
        command.split("pip install --quiet ")[1] for command in commands if "pip install" in command
    ]


@needs_make
def test_make_run_installs_only_what_serving_needs(tmp_path):
    assert installs(make_commands("run", tmp_path / "venv")) == ["--upgrade pip", "-e ."]
    for target in ("serve", "backup", "install"):
        assert '-e ".[dev]"' not in installs(make_commands(target, tmp_path / "venv")), target


@needs_make
@pytest.mark.parametrize("target", ["test", "lint", "format"])
def test_make_test_and_lint_add_the_test_tools(tmp_path, target):
    assert installs(make_commands(target, tmp_path / "venv")) == ["--upgrade pip", '-e ".[dev]"']


@needs_make
def test_each_set_of_packages_is_installed_once_and_again_when_pyproject_changes(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / ".installed").touch()
    assert installs(make_commands("run", venv)) == []
    assert installs(make_commands("test", venv)) == ['-e ".[dev]"']

    (venv / ".installed-dev").touch()
    assert installs(make_commands("test", venv)) == []
    assert installs(make_commands("run", venv)) == []

    before_the_last_change = (BASE_DIR / "pyproject.toml").stat().st_mtime - 60
    for stamp in (".installed", ".installed-dev"):
        os.utime(venv / stamp, (before_the_last_change, before_the_last_change))
    assert installs(make_commands("run", venv)) == ["-e ."]
    assert installs(make_commands("test", venv)) == ['-e ".[dev]"']
