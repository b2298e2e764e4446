"""Benchmark of public pages over HTTP, as served in production, against a static file.

Starts three gunicorn instances side by side on the generated PostgreSQL database, all with
production settings (static files collected into a temporary folder and served by whitenoise,
Redis as the cache), and measures each page three ways:

- cached: the page cache on, as visitors get a page someone asked for since the last change;
- warm: the page cache off (DJANGO_PAGE_CACHE_SECONDS=0), each page rendered from what is kept
  beneath the pages for the state of the data (counts, pages of results, rendered items), as
  after a first visit to another address;
- cold: nothing cached (DJANGO_PAGE_CACHE_SECONDS=0 DJANGO_DATA_CACHE_SECONDS=0), every page
  built from the database alone, as the first visit after a change of the data.

A static file of the profile page's size is the ceiling (whitenoise answers it without touching
Django's views); wrk measures each page in turn with the same connections and threads, and the
table gives each page's requests per second as a share of the static file's. The machine's
speed drifts by tens of percent over a run (shared cores): the static file is measured again
right before each page and after the last one, and each page's share is taken against the
static file measured on either side of it.

    .venv/bin/python bench/generate_data.py     # once: the data set
    .venv/bin/python bench/http_pages.py         # 10 s a page
    .venv/bin/python bench/http_pages.py --seconds 20 --connections 8 --search-word grokking

(The file is not called http.py: Python puts the script's folder first on the import path, and a
bench/http.py would stand in for the standard library's http package in every script here.)

Exits non-zero when a page answers anything but 200 or wrk counts errors; a missed target is
printed as MISS but is not an error.
"""

import argparse
import contextlib
import html
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCHMARK_PUBLICATIONS,
    BENCHMARK_SLUG,
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    Gunicorn,
    Site,
    WrkResult,
    benchmark_data_check,
    django_setup,
    gunicorn_start,
    http_get,
    running_site,
    wrk_run,
)

STATIC_NAME = "bench-profile.html"


# How each page is served, in the order of the table's columns.
MODES = ("cached", "warm", "cold")
# Each mode's gunicorn environment.
MODE_ENVIRONMENTS = {
    "cached": {},
    "warm": {"DJANGO_PAGE_CACHE_SECONDS": "0"},
    "cold": {"DJANGO_PAGE_CACHE_SECONDS": "0", "DJANGO_DATA_CACHE_SECONDS": "0"},
}


@dataclass
class Measure:
    """One page served one way: its target as a share of the static file's requests per second,
    and what wrk measured."""

    mode: str
    server: Gunicorn
    target: float | None = None
    result: WrkResult | None = None
    # The static file's requests per second measured right before and right after this one.
    ceiling: float | None = None

    @property
    def share(self) -> float:
        return self.result.requests_per_second / self.ceiling


@dataclass
class Line:
    """One page: where it is asked for, what it must contain, how it is measured."""

    label: str
    path: str
    expected: list[str]
    measures: list[Measure]

    def url(self, measure: Measure) -> str:
        return measure.server.base_url + self.path


def typical_topic():
    """The topic whose number of published publications is closest to the average."""
    from django.db.models import Count, Q

    from profiles.models import ResearchTopic

    topics = list(
        ResearchTopic.objects.annotate(
            total=Count("publications", filter=Q(publications__is_published=True))
        )
    )
    average = sum(t.total for t in topics) / len(topics)
    return min(topics, key=lambda t: (abs(t.total - average), t.slug))


def check(line: Line, measure: Measure, *, cache_expected: bool | None) -> None:
    """The page answers 200 with what it should show; the page cache is on or off as said."""
    url = line.url(measure)
    for attempt in range(2):  # the second answer of the cached instance comes from the cache
        status, headers, body = http_get(url)
        text = body.decode(errors="replace")
        missing = [item for item in line.expected if item not in text]
        if status != 200 or missing:
            sys.exit(f"{line.label}, {measure.mode}: {url} answered {status}; missing {missing!r}")
        if attempt == 1 and cache_expected is not None:
            cached = "no-cache" in headers.get("Cache-Control", "")
            if cached != cache_expected:
                sys.exit(
                    f"{line.label}, {measure.mode}: the page cache should be "
                    f"{'on' if cache_expected else 'off'} "
                    f"(Cache-Control: {headers.get('Cache-Control')!r})"
                )


@dataclass
class Pages:
    """The measured addresses on the generated data, and what each page must show."""

    researcher_name: str
    profile_path: str
    topic_name: str
    topic_count: int
    list_path: str
    search_word: str
    search_count: int
    search_path: str


def pages_find(search_word: str) -> Pages:
    """The benchmark researcher's profile, the list of a typical topic and a search, in French."""
    from django.urls import reverse
    from django.utils import translation

    from profiles.models import Researcher
    from publications.models import Publication
    from publications.search import publications_matching

    researcher = Researcher.objects.get(slug=BENCHMARK_SLUG)
    topic = typical_topic()
    published = Publication.objects.published()
    with translation.override("fr"):
        search_path = f"{reverse('publications:publication_list')}?" + urlencode({"q": search_word})
        return Pages(
            researcher_name=researcher.full_name,
            profile_path=researcher.get_absolute_url(),
            topic_name=topic.name_fr,
            topic_count=published.filter(topics=topic).count(),
            list_path=topic.get_publications_url(),
            search_word=search_word,
            search_count=publications_matching(published, search_word).count(),
            search_path=search_path,
        )


def lines_build(pages: Pages, servers: dict[str, Gunicorn]) -> list[Line]:
    """The static file, then each page measured cached, warm and cold, with its targets."""

    def measures(**targets: float) -> list[Measure]:
        return [Measure(mode, servers[mode], targets.get(mode)) for mode in MODES]

    name = html.escape(pages.researcher_name)
    return [
        Line(
            "static file (whitenoise)",
            f"/static/{STATIC_NAME}",
            [name],
            [Measure("cached", servers["cached"])],
        ),
        Line(
            "profile",
            pages.profile_path,
            [name, f"{BENCHMARK_PUBLICATIONS} publications"],
            measures(cached=0.50, warm=0.15, cold=0.03),
        ),
        Line(
            "list by topic",
            pages.list_path,
            [html.escape(pages.topic_name), f"{pages.topic_count} publication"],
            measures(warm=0.15, cold=0.03),
        ),
        Line(
            "search",
            pages.search_path,
            [f'value="{html.escape(pages.search_word)}"', f"{pages.search_count} publication"],
            measures(warm=0.10, cold=0.03),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--seconds", type=float, default=10, help="of measurement, per page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=multiprocessing.cpu_count() * 2 + 1,
        help="gunicorn workers per instance (config/gunicorn.py's default)",
    )
    parser.add_argument("--search-word", default="grokking")
    args = parser.parse_args()

    django_setup(args.database_url)
    benchmark_data_check()
    from publications.models import Publication

    pages = pages_find(args.search_word)
    total = Publication.objects.published().count()
    print(f"data:        {total:,} published publications, database {args.database_url}")
    print(f"profile:     {pages.profile_path} ({BENCHMARK_PUBLICATIONS} publications, 20 a page)")
    print(f"topic list:  {pages.list_path} ({pages.topic_count:,} publications)")
    print(f"search:      {pages.search_path} ({pages.search_count:,} publications)")

    with running_site(args.database_url, args.redis_url) as (site, stack):
        start = time.perf_counter()
        site.collectstatic()
        print(f"collectstatic (production settings): {time.perf_counter() - start:.1f} s")
        servers = servers_start(site, stack, pages, workers=args.workers)
        lines = lines_build(pages, servers)
        checks_run(lines)
        wrk = {"connections": args.connections, "threads": args.threads}
        print(
            f"wrk:         {args.threads} threads, {args.connections} connections, "
            f"{args.seconds:g} s a page after {args.warmup:g} s of warm-up; "
            f"{multiprocessing.cpu_count()} cores shared by wrk, gunicorn and PostgreSQL"
        )
        measurements_run(lines, seconds=args.seconds, warmup=args.warmup, wrk=wrk)
        problems = [text for server in servers.values() for text in server.error_lines()]

    print_table(lines)
    errors = sum(measure.result.errors for line in lines for measure in line.measures)
    if problems:
        print("\ngunicorn logged:")
        print("\n".join(problems[-40:]))
    if errors:
        sys.exit(f"\n{errors} errors: see the table above.")


def measurements_run(lines: list[Line], *, seconds: float, warmup: float, wrk: dict) -> None:
    """Each page measured in turn, with the static file measured before each of them and after
    the last: each measure's ceiling is the mean of the static file's two measurements around
    it, and the static line keeps them all."""
    static, pages = lines[0], lines[1:]
    statics: list[WrkResult] = []

    def measured(line: Line, measure: Measure) -> WrkResult:
        if warmup:
            wrk_run(line.url(measure), seconds=warmup, **wrk)
        result = wrk_run(line.url(measure), seconds=seconds, **wrk)
        rate = result.requests_per_second
        print(f"  measured {line.label}, {measure.mode}: {rate:,.0f} requests/s")
        return result

    around = static.measures[0]
    statics.append(measured(static, around))
    for line in pages:
        for measure in line.measures:
            measure.result = measured(line, measure)
            statics.append(measured(static, around))
            before, after = (result.requests_per_second for result in statics[-2:])
            measure.ceiling = (before + after) / 2
    around.result = _mean_result(statics)
    around.ceiling = around.result.requests_per_second
    rates = [result.requests_per_second for result in statics]
    print(f"  static file: {min(rates):,.0f} to {max(rates):,.0f} requests/s over the run")


def _mean_result(results: list[WrkResult]) -> WrkResult:
    """The static file's measurements as one: their mean rate, their worst latencies, all their
    errors."""
    errors: dict[str, int] = {}
    for result in results:
        for kind, count in result.socket_errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return WrkResult(
        requests=sum(result.requests for result in results),
        seconds=sum(result.seconds for result in results),
        requests_per_second=sum(r.requests_per_second for r in results) / len(results),
        p50_ms=max(result.p50_ms for result in results),
        p99_ms=max(result.p99_ms for result in results),
        non_2xx_3xx=sum(result.non_2xx_3xx for result in results),
        socket_errors=errors,
    )


def servers_start(
    site: Site, stack: contextlib.ExitStack, pages: Pages, *, workers: int
) -> dict[str, Gunicorn]:
    """One gunicorn per mode; the static file, a copy of the profile page, saved before the
    cached one starts (whitenoise lists the static files when a worker starts)."""
    servers = {}
    for mode in ("warm", "cold"):
        servers[mode] = gunicorn_start(
            site, stack, name=mode, workers=workers, **MODE_ENVIRONMENTS[mode]
        )
    status, _, page = http_get(servers["warm"].base_url + pages.profile_path)
    if status != 200:
        sys.exit(f"The profile page answered {status}")
    (site.static_root / STATIC_NAME).write_bytes(page)
    servers["cached"] = gunicorn_start(site, stack, name="cached", workers=workers)
    _, _, copy = http_get(f"{servers['cached'].base_url}/static/{STATIC_NAME}")
    if copy != page:
        sys.exit("The static file is not the profile page's copy.")
    addresses = ", ".join(f"{mode} at {servers[mode].base_url}" for mode in MODES)
    print(f"gunicorn:    {workers} workers each, {addresses}; profile page {len(page):,} bytes")
    return servers


def checks_run(lines: list[Line]) -> None:
    """Every page shows what it should, from the page cache only where it is on."""
    for line in lines:
        for measure in line.measures:
            is_page = not line.path.startswith("/static/")
            check(line, measure, cache_expected=measure.mode == "cached" if is_page else None)


def print_table(lines: list[Line]) -> None:
    """Each page's requests per second, served each way, as a share of the static file's and
    against its target; then the latencies and errors of every measurement."""
    print()
    print((f"{'':<26}" + "".join(f"{mode:>7}{'':<23}" for mode in MODES)).rstrip())
    print((f"{'page':<26}" + f"{'req/s':>7}{'static':>9}  {'target':<12}" * len(MODES)).rstrip())
    for line in lines:
        cells = {measure.mode: measure for measure in line.measures}
        row = f"{line.label:<26}"
        for mode in MODES:
            row += _share_cell(cells[mode]) if mode in cells else " " * 30
        print(row.rstrip())
    print(
        "static: share of the static file's requests per second, measured right before and "
        "after the page (static line: their mean)\n"
    )
    print(f"{'page':<26}{'served':<8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for line in lines:
        for measure in line.measures:
            result = measure.result
            print(
                f"{line.label:<26}{measure.mode:<8}{result.requests_per_second:>9,.0f}"
                f"{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}{result.errors_text():>8}"
            )
    print("errors: socket errors and answers other than 2xx/3xx, as wrk counts them; target: 0")


def _share_cell(measure: Measure) -> str:
    rate = measure.result.requests_per_second
    share = measure.share
    target = ""
    if measure.target is not None:
        target = f"≥{measure.target:.0%} {'PASS' if share >= measure.target else 'MISS'}"
    return f"{rate:>7,.0f}{share:>9.1%}  {target:<12}"


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
