"""What the benchmarks share: the database they run on, gunicorn started as in production, wrk.

The page and load benchmarks start the site the way `make serve` does (production settings under
gunicorn with config/gunicorn.py, static files collected and served by whitenoise, Redis as the
cache), each instance on its own port, and drive it with wrk.
"""

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WRK = shutil.which("wrk") or "/usr/bin/wrk"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# The generated researcher who signs exactly BENCHMARK_PUBLICATIONS publications.
BENCHMARK_SLUG = "benchmark-researcher"
BENCHMARK_PUBLICATIONS = 500


def database_create(database_url: str, *, drop_first: bool = False) -> bool:
    """Create the database named in ``database_url`` if it is missing; True when created."""
    params = psycopg.conninfo.conninfo_to_dict(database_url)
    name = params["dbname"]
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as connection:
        if drop_first:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def django_setup(database_url: str, *, settings: str = "config.settings.dev") -> None:
    """Set Django up in this process on ``database_url``, with debug off (no query log)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()


def benchmark_data_check() -> None:
    """Stop with a message when the database holds no generated data set or lacks a migration
    (the code may have moved on since the data was generated)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from profiles.models import Researcher

    executor = MigrationExecutor(connection)
    missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if missing:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in missing)
        sys.exit(f"The database lacks migrations ({names}): run manage.py migrate on it first.")

    if not Researcher.objects.filter(slug=BENCHMARK_SLUG).exists():
        sys.exit(
            f"No researcher {BENCHMARK_SLUG!r} in this database: "
            "generate the data first with .venv/bin/python bench/generate_data.py"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str, *, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET, errors included (a 404 is an answer, not a failure)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (http only)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class Site:
    """What every gunicorn instance of one benchmark run shares."""

    database_url: str
    redis_url: str
    workdir: Path
    static_root: Path = field(init=False)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    # Each run caches its pages under its own prefix, so that no page of an earlier run is read.
    cache_prefix: str = field(default_factory=lambda: f"bench-{secrets.token_hex(4)}")

    def __post_init__(self) -> None:
        self.static_root = self.workdir / "static"

    def environment(self, **overrides: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DJANGO_CACHE_KEY_PREFIX": self.cache_prefix,
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(self.static_root),
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        env.pop("DJANGO_DEBUG", None)
        env.pop("DJANGO_PAGE_CACHE_SECONDS", None)
        env.update(overrides)
        return env

    def collectstatic(self) -> None:
        """Collect the static files with production settings (hashed, compressed names)."""
        subprocess.run(  # noqa: S603 (fixed arguments)
            [str(PYTHON), "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=self.environment(),
            check=True,
        )

    def cache_clear(self) -> int:
        """Delete this run's pages from Redis; the number of keys deleted."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        keys = list(client.scan_iter(match=f"{self.cache_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)


class Gunicorn:
    """One gunicorn master with its workers, started with config/gunicorn.py."""

    def __init__(self, site: Site, *, name: str, workers: int, **environment: str) -> None:
        self.name = name
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = site.workdir / f"gunicorn-{name}.log"
        env = site.environment(
            GUNICORN_BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY=str(workers), **environment
        )
        with self.log_path.open("wb") as log:
            # Its own session: a Ctrl-C in the terminal reaches this script, which then stops
            # gunicorn in order, rather than every process at once.
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [
                    str(GUNICORN),
                    "--config",
                    "config/gunicorn.py",
                    # gunicorn's control socket has one default path for every instance.
                    "--control-socket",
                    str(site.workdir / f"gunicorn-{name}.ctl"),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log_tail()}")
            try:
                status, _, _ = http_get(f"{self.base_url}/healthz", timeout=2)
            except OSError:
                status = None
            if status == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} is not healthy after {timeout:.0f} s")

    def stop(self) -> None:
        """Graceful stop (SIGTERM lets workers finish their request), then SIGKILL if stuck."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def error_lines(self) -> list[str]:
        """What the log holds besides requests and gunicorn's news: tracebacks, worker
        timeouts, Django's warnings and errors."""
        ordinary = re.compile(r'^\S+ - - \[[^\]]+\] "|^\[[^\]]+\] \[\d+\] \[INFO\] ')
        text = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in text if line.strip() and not ordinary.match(line)]


@contextlib.contextmanager
def running_site(database_url: str, redis_url: str) -> Iterator[tuple[Site, contextlib.ExitStack]]:
    """A temporary site folder with its static files collected; every gunicorn started on the
    returned stack is stopped on the way out, on Ctrl-C and SIGTERM too."""

    def terminate(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    with (
        tempfile.TemporaryDirectory(prefix="bench-site-") as workdir,
        contextlib.ExitStack() as stack,
    ):
        site = Site(database_url=database_url, redis_url=redis_url, workdir=Path(workdir))
        stack.callback(site.cache_clear)
        try:
            yield site, stack
        finally:
            signal.signal(signal.SIGTERM, previous)


def gunicorn_start(
    site: Site, stack: contextlib.ExitStack, *, name: str, workers: int, **environment: str
) -> Gunicorn:
    server = Gunicorn(site, name=name, workers=workers, **environment)
    stack.callback(server.stop)
    server.wait_healthy()
    return server


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * _UNITS[unit]


@dataclass
class WrkResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    output: str = ""

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    def errors_text(self) -> str:
        parts = [f"{count} {kind}" for kind, count in self.socket_errors.items() if count]
        if self.non_2xx_3xx:
            parts.append(f"{self.non_2xx_3xx} non-2xx/3xx")
        return ", ".join(parts) or "0"


def wrk_parse(output: str) -> WrkResult:
    """Read wrk's summary (run with --latency for the percentiles)."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (done and rate and p50 and p99):
        raise ValueError(f"Unexpected wrk output:\n{output}")
    result = WrkResult(
        requests=int(done.group(1)),
        seconds=_milliseconds(done.group(2) + done.group(3)) / 1000,
        requests_per_second=float(rate.group(1)),
        p50_ms=_milliseconds(p50.group(1)),
        p99_ms=_milliseconds(p99.group(1)),
        output=output,
    )
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        result.socket_errors = dict(
            zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True)
        )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        result.non_2xx_3xx = int(non_2xx.group(1))
    return result


def wrk_run(
    url: str,
    *,
    seconds: float,
    connections: int,
    threads: int,
    timeout_seconds: float = 10,
    script: Path | None = None,
    script_args: list[str] = (),
) -> WrkResult:
    """Run wrk against ``url`` and parse its summary."""
    command = [
        WRK,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds:g}s",
        f"--timeout={timeout_seconds:g}s",
        "--latency",
    ]
    if script is not None:
        command += ["--script", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    completed = subprocess.run(  # noqa: S603 (fixed arguments)
        command, capture_output=True, text=True, check=True
    )
    return wrk_parse(completed.stdout)
