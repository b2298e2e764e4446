"""Load test: a minute of 64 concurrent connections over a mix of the site's public pages.

gunicorn runs as in production (bench/http_pages.py says how), page cache on. The paths come
from the generated database: the directory (with searches, topic and membership filters, later
pages), profiles of many researchers (some on a later page or filtered by a topic), the
publication list with various filters, topics, years, kinds, researchers, sorts and pages,
publication pages, topic pages and feeds. bench/load.lua asks for them in random order.

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --seconds 120 --connections 128
    .venv/bin/python bench/load.py --junk-params 0.1

``--junk-params 0.1`` adds a random parameter that no page reads (utm_source=..., fbclid=...)
to 10% of the requests, as links shared with trackers do: they must neither fail nor grow the
cache, since a page is cached under the parameters it reads only.

Prints requests per second, latency percentiles, the answers by status, and the run's cache
keys and Redis's memory before and after the load; exits non-zero when any request failed
(socket error or timeout) or answered 5xx.
"""

import argparse
import multiprocessing
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    benchmark_data_check,
    django_setup,
    gunicorn_start,
    http_get,
    running_site,
    wrk_run,
)

SCRIPT = Path(__file__).resolve().with_suffix(".lua")
LANGUAGES = ("fr", "en")
# How many distinct paths of each kind the mix holds; the script draws them uniformly.
MIX = {
    "profile": 1200,
    "publication page": 1000,
    "publication list": 800,
    "directory": 400,
    "topic page": 320,
    "feed": 280,
}


def query(path: str, **params) -> str:
    return f"{path}?{urlencode(params, doseq=True)}" if params else path


def build_paths(rng: random.Random) -> dict[str, list[str]]:
    """Paths of every kind in the mix, drawn from the database."""
    from django.urls import reverse
    from django.utils import translation

    from profiles.models import Membership, Researcher, ResearchTopic
    from publications.models import Publication

    researchers = list(Researcher.objects.published().prefetch_related("topics"))
    topics = list(ResearchTopic.objects.all())
    published_ids = list(Publication.objects.published().values_list("pk", flat=True))
    titles = (
        Publication.objects.published()
        .filter(pk__in=rng.sample(published_ids, 300))
        .values_list("title", flat=True)
    )
    title_words = sorted({w.strip(":?,.").lower() for t in titles for w in t.split() if len(w) > 5})
    years = list(range(1996, 2026))
    kinds = [choice for choice, _ in Publication.Kind.choices]

    paths: dict[str, list[str]] = {kind: [] for kind in MIX}
    for number in range(max(MIX.values())):
        language = LANGUAGES[number % 2]
        with translation.override(language):
            researcher = rng.choice(researchers)
            topic = rng.choice(topics)
            directory = reverse("profiles:researcher_list")
            publications = reverse("publications:publication_list")

            profile = researcher.get_absolute_url()
            own_topics = list(researcher.topics.all())
            if rng.random() < 0.15:
                profile = query(profile, page=2)
            elif own_topics and rng.random() < 0.12:
                profile = query(profile, topic=rng.choice(own_topics).slug)
            paths["profile"].append(profile)

            paths["publication page"].append(
                reverse("publications:publication_detail", kwargs={"pk": rng.choice(published_ids)})
            )

            start = rng.choice(years[:-3])
            filters = rng.choice(
                [
                    {},
                    {"page": rng.randint(2, 60)},
                    {"topic": topic.slug},
                    {"topic": [topic.slug, rng.choice(topics).slug]},
                    {"topic": topic.slug, "page": rng.randint(2, 5)},
                    {"year_from": start, "year_to": rng.randint(start, 2025)},
                    {"kind": rng.choice(kinds)},
                    {"kind": rng.sample(kinds, 2), "year_from": start},
                    {"researcher": researcher.slug},
                    {"sort": rng.choice(["title", "oldest"])},
                    {"q": rng.choice(title_words)},
                    {"q": rng.choice(title_words), "topic": topic.slug},
                ]
            )
            paths["publication list"].append(query(publications, **filters))

            filters = rng.choice(
                [
                    {},
                    {"page": rng.randint(2, 60)},
                    {"q": researcher.family_name[: rng.randint(3, 8)]},
                    {"topic": topic.slug},
                    {"membership": rng.choice(Membership.values)},
                    {"topic": topic.slug, "membership": rng.choice(Membership.values)},
                ]
            )
            paths["directory"].append(query(directory, **filters))

            paths["topic page"].append(
                reverse("profiles:topic_list") if rng.random() < 0.1 else topic.get_absolute_url()
            )

            paths["feed"].append(
                rng.choice(
                    [
                        reverse("feed_rss"),
                        reverse("feed_atom"),
                        reverse("researcher_feed_rss", kwargs={"slug": researcher.slug}),
                        reverse("topic_feed_rss", kwargs={"slug": topic.slug}),
                        reverse("topic_feed_atom", kwargs={"slug": topic.slug}),
                    ]
                )
            )
    return {kind: paths[kind][:count] for kind, count in MIX.items()}


@dataclass
class CacheFootprint:
    """What this run's site keeps in Redis: its keys, those of whole pages among them, and the
    memory Redis uses (the whole server's: other databases count too)."""

    keys: int
    pages: int
    megabytes: float

    @classmethod
    def of(cls, redis_url: str, prefix: str) -> "CacheFootprint":
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = pages = 0
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            keys += 1
            # KEY_PREFIX:version:page:release:digest (core.caching._page_key)
            pages += key.split(b":", 3)[2] == b"page"
        megabytes = client.info("memory")["used_memory"] / 2**20
        client.close()
        return cls(keys, pages, megabytes)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10, help="seconds before wrk gives up")
    parser.add_argument(
        "--workers",
        type=int,
        default=multiprocessing.cpu_count() * 2 + 1,
        help="gunicorn workers (config/gunicorn.py's default)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--junk-params",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of requests (0 to 1) given a random parameter no page reads",
    )
    args = parser.parse_args()
    if not 0 <= args.junk_params <= 1:
        parser.error("--junk-params is a share of the requests, between 0 and 1")
    return args


def main() -> None:
    args = arguments()
    django_setup(args.database_url)
    benchmark_data_check()
    paths = build_paths(random.Random(args.seed))
    total = sum(len(p) for p in paths.values())
    print(f"mix:      {total:,} distinct paths drawn at random, both languages")
    for kind, kind_paths in paths.items():
        print(f"  {kind:<18}{len(kind_paths) / total:>5.0%}  e.g. {kind_paths[1]}")

    with running_site(args.database_url, args.redis_url) as (site, stack):
        site.collectstatic()
        server = gunicorn_start(site, stack, name="load", workers=args.workers)
        for kind, kind_paths in paths.items():  # one of each kind answers before the load
            status, _, _ = http_get(server.base_url + kind_paths[0])
            if status != 200:
                sys.exit(f"{kind}: {kind_paths[0]} answered {status}")
        path_file = site.workdir / "paths.txt"
        path_file.write_text("".join(f"{p}\n" for kind_paths in paths.values() for p in kind_paths))
        print(
            f"load:     {args.seconds:g} s, {args.connections} connections, {args.threads} wrk "
            f"threads, {args.workers} gunicorn workers, page cache on, "
            f"{multiprocessing.cpu_count()} cores shared by wrk, gunicorn and PostgreSQL, "
            f"{args.junk_params:.0%} of requests with a random unknown parameter"
        )
        before = CacheFootprint.of(args.redis_url, site.cache_prefix)
        result = wrk_run(
            server.base_url + "/",
            seconds=args.seconds,
            connections=args.connections,
            threads=args.threads,
            timeout_seconds=args.timeout,
            script=SCRIPT,
            script_args=[str(path_file), str(args.seed), str(args.junk_params)],
        )
        after = CacheFootprint.of(args.redis_url, site.cache_prefix)
        problems = server.error_lines()
    report(result, problems, before, after)


def report(result, problems: list[str], before: CacheFootprint, after: CacheFootprint) -> None:
    """Print the figures of the run; exit non-zero on any error, or on more cached pages than
    distinct paths asked."""
    statuses = Counter()
    output_lines = result.output.splitlines()
    for code, count in (line.split()[1:] for line in output_lines if line.startswith("status ")):
        statuses[int(code)] += int(count)
    server_errors = sum(count for code, count in statuses.items() if code >= 500)
    distinct = sum(int(line.split()[1]) for line in output_lines if line.startswith("distinct "))
    socket_errors = sum(result.socket_errors.values())
    print()
    print(f"requests:       {result.requests:,} in {result.seconds:.1f} s")
    print(f"requests/s:     {result.requests_per_second:,.0f}")
    print(f"latency:        p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms")
    print("statuses:       " + ", ".join(f"{c}: {n:,}" for c, n in sorted(statuses.items())))
    print(f"socket errors:  {result.errors_text() if socket_errors else 0} (target 0)")
    print(f"5xx answers:    {server_errors} (target 0)")
    print(f"cache keys:     {before.keys:,} before, {after.keys:,} after")
    print(
        f"cached pages:   {before.pages:,} before, {after.pages:,} after, for {distinct:,} "
        "distinct paths asked (target: no more pages than paths, whatever the junk)"
    )
    print(f"Redis memory:   {before.megabytes:,.1f} MB before, {after.megabytes:,.1f} MB after")
    if problems:
        print("\ngunicorn logged:")
        print("\n".join(problems[-40:]))
    if socket_errors or server_errors or result.non_2xx_3xx:
        sys.exit("FAIL: errors under load")
    if after.pages > before.pages + distinct:
        sys.exit("FAIL: parameters that no page reads made cache entries")
    print("PASS: no errors, no more cached pages than paths")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
