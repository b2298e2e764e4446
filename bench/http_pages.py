"""Benchmark of public pages over HTTP, as served in production, against a static file.

Starts two gunicorn instances side by side on the generated PostgreSQL database, both with
production settings (static files collected into a temporary folder and served by whitenoise,
Redis as the cache): one with the page cache on, one with DJANGO_PAGE_CACHE_SECONDS=0. A static
file of the profile page's size is the ceiling (whitenoise answers it without touching Django's
views); wrk measures each page in turn with the same connections and threads, and the table
gives each page's requests per second as a share of the static file's.

    .venv/bin/python bench/generate_data.py     # once: the data set
    .venv/bin/python bench/http_pages.py         # 10 s a page
    .venv/bin/python bench/http_pages.py --seconds 20 --connections 8 --search-word grokking

(The file is not called http.py: Python puts the script's folder first on the import path, and a
bench/http.py would stand in for the standard library's http package in every script here.)

Exits non-zero when a page answers anything but 200 or wrk counts errors; a missed target is
printed as MISS but is not an error.
"""

import argparse
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
    WrkResult,
    benchmark_data_check,
    django_setup,
    gunicorn_start,
    http_get,
    running_site,
    wrk_run,
)

STATIC_NAME = "bench-profile.html"


@dataclass
class Line:
    """One measured page: where it is asked for, what it must contain, its target."""

    label: str
    server: Gunicorn
    path: str
    expected: list[str]
    target: float | None = None  # share of the static file's requests per second
    result: WrkResult | None = None

    @property
    def url(self) -> str:
        return self.server.base_url + self.path


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


def check(line: Line, *, cache_expected: bool) -> None:
    """The page answers 200 with what it should show; the page cache is on or off as said."""
    for attempt in range(2):  # the second answer of the cached instance comes from the cache
        status, headers, body = http_get(line.url)
        text = body.decode(errors="replace")
        missing = [item for item in line.expected if item not in text]
        if status != 200 or missing:
            sys.exit(f"{line.label}: {line.url} answered {status}; missing {missing!r}")
        if attempt == 1 and cache_expected is not None:
            cached = "no-cache" in headers.get("Cache-Control", "")
            if cached != cache_expected:
                sys.exit(
                    f"{line.label}: the page cache should be {'on' if cache_expected else 'off'}"
                    f" (Cache-Control: {headers.get('Cache-Control')!r})"
                )


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
    from django.urls import reverse
    from django.utils import translation

    from profiles.models import Researcher
    from publications.models import Publication
    from publications.search import publications_matching

    researcher = Researcher.objects.get(slug=BENCHMARK_SLUG)
    topic = typical_topic()
    published = Publication.objects.published()
    topic_count = published.filter(topics=topic).count()
    search_count = publications_matching(published, args.search_word).count()
    with translation.override("fr"):
        profile_path = researcher.get_absolute_url()
        list_path = topic.get_publications_url()
        search_path = f"{reverse('publications:publication_list')}?" + urlencode(
            {"q": args.search_word}
        )
    total = published.count()
    print(f"data:        {total:,} published publications, database {args.database_url}")
    print(f"profile:     {profile_path} ({BENCHMARK_PUBLICATIONS} publications, 20 a page)")
    print(f"topic list:  {list_path} ({topic_count:,} publications)")
    print(f"search:      {search_path} ({search_count:,} publications)")

    with running_site(args.database_url, args.redis_url) as (site, stack):
        start = time.perf_counter()
        site.collectstatic()
        print(f"collectstatic (production settings): {time.perf_counter() - start:.1f} s")
        uncached = gunicorn_start(
            site, stack, name="uncached", workers=args.workers, DJANGO_PAGE_CACHE_SECONDS="0"
        )
        # The ceiling: the profile page itself, saved as a static file (same size, same bytes).
        status, _, page = http_get(uncached.base_url + profile_path)
        if status != 200:
            sys.exit(f"The profile page answered {status}")
        (site.static_root / STATIC_NAME).write_bytes(page)
        # Started once the file exists: whitenoise lists the static files when a worker starts.
        cached = gunicorn_start(site, stack, name="cached", workers=args.workers)
        print(
            f"gunicorn:    {args.workers} workers each, cache on at {cached.base_url}, "
            f"off at {uncached.base_url}; profile page {len(page):,} bytes"
        )

        name = html.escape(researcher.full_name)
        profile_expected = [name, f"{BENCHMARK_PUBLICATIONS} publications"]
        lines = [
            Line("static file (whitenoise)", cached, f"/static/{STATIC_NAME}", [name]),
            Line("profile, cached", cached, profile_path, profile_expected, 0.50),
            Line("profile, uncached", uncached, profile_path, profile_expected, 0.15),
            Line(
                "list by topic, uncached",
                uncached,
                list_path,
                [html.escape(topic.name_fr), f"{topic_count} publication"],
                0.15,
            ),
            Line(
                "search, uncached",
                uncached,
                search_path,
                [f'value="{html.escape(args.search_word)}"', f"{search_count} publication"],
                0.10,
            ),
        ]
        for line in lines:
            is_page = line.path != f"/static/{STATIC_NAME}"
            check(line, cache_expected=(line.server is cached) if is_page else None)
        status, _, body = http_get(lines[0].url)
        if body != page:
            sys.exit("The static file is not the profile page's copy.")

        wrk = {"connections": args.connections, "threads": args.threads}
        print(
            f"wrk:         {args.threads} threads, {args.connections} connections, "
            f"{args.seconds:g} s a page after {args.warmup:g} s of warm-up; "
            f"{multiprocessing.cpu_count()} cores shared by wrk, gunicorn and PostgreSQL"
        )
        for line in lines:
            if args.warmup:
                wrk_run(line.url, seconds=args.warmup, **wrk)
            line.result = wrk_run(line.url, seconds=args.seconds, **wrk)
            print(f"  measured {line.label}: {line.result.requests_per_second:,.0f} requests/s")
        problems = [text for server in (cached, uncached) for text in server.error_lines()]

    print_table(lines)
    errors = sum(line.result.errors for line in lines)
    if problems:
        print("\ngunicorn logged:")
        print("\n".join(problems[-40:]))
    if errors:
        sys.exit(f"\n{errors} errors: see the table above.")


def print_table(lines: list[Line]) -> None:
    ceiling = lines[0].result.requests_per_second
    header = f"{'page':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print()
    print(f"{header}{'of static':>11}   target")
    for line in lines:
        result = line.result
        share = result.requests_per_second / ceiling
        verdict = ""
        if line.target is not None:
            verdict = f"≥ {line.target:.0%}  {'PASS' if share >= line.target else 'MISS'}"
        print(
            f"{line.label:<26}{result.requests_per_second:>9,.0f}{result.p50_ms:>9.1f}"
            f"{result.p99_ms:>9.1f}{result.errors_text():>8}{share:>11.1%}   {verdict}"
        )
    print("errors: socket errors and answers other than 2xx/3xx, as wrk counts them; target: 0")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
