"""Benchmark of the publication search: the site's query against a plain icontains scan.

For each query (a rare word, a common word, two words, an author's surname) it times what the
publication list asks the database for on a first visit, the number of matches and the first
page of 20 in the list's order (full-text search on PostgreSQL, best matches first, or the newest
first when too many match to rank), and the same with a plain ``icontains`` scan of title,
abstract and venue, alternately, several times, on the generated data set. Prints the medians,
the speed-up and the EXPLAIN ANALYZE of the site's first page.

    .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --repeat 9 --query "grokking" --query "neural networks"
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_DATABASE_URL, benchmark_data_check, django_setup

# (what it stands for, the query): words of the generator's lists, from its long tail to its
# most frequent, and a family name common in Québec.
QUERIES = [
    ("rare word", "lighthouses"),
    ("common word", "networks"),
    ("two words", "reinforcement learning"),
    ("author surname", "Tremblay"),
]
PAGE_SIZE = 20
TARGET = 20


def site_search(text: str):
    """The publication list's search, as a first visit after a change of the data finds it (the
    list keeps its count and pages until the next change)."""
    from django.http import QueryDict

    from core.caching import pages_changed
    from publications.selectors import publication_search

    pages_changed()
    params = QueryDict(mutable=True)
    params["q"] = text
    return publication_search(params=params)


def icontains_scan(text: str):
    """Every word in the title, the abstract or the venue, case ignored, newest first."""
    from django.db.models import Q

    from publications.models import Publication

    queryset = Publication.objects.published()
    for word in text.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(abstract__icontains=word) | Q(venue__icontains=word)
        )
    return queryset.newest_first()


def page_query(queryset) -> tuple[float, int]:
    """Seconds to count the matches and read the first page, as the list's paginator does."""
    start = time.perf_counter()
    count = queryset.count()
    list(queryset[:PAGE_SIZE])
    return time.perf_counter() - start, count


def site_page_query(text: str) -> tuple[float, int, bool]:
    """Seconds for the site's search to count the matches and read the first page, how many
    match, and whether they are listed newest first."""
    start = time.perf_counter()
    search = site_search(text)
    count = search.count  # through the search index, as the publication list counts
    list(search.publications[:PAGE_SIZE])
    return time.perf_counter() - start, count, search.too_many_to_rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument(
        "--query", action="append", help="a query to time instead of the usual four (repeatable)"
    )
    args = parser.parse_args()
    queries = [("query", q) for q in args.query] if args.query else QUERIES

    django_setup(args.database_url)
    benchmark_data_check()
    from django.db import connection

    from publications.models import Publication
    from publications.selectors import RANKED_MATCHES_LIMIT

    total = Publication.objects.published().count()
    has_vector = any(f.name == "search_vector" for f in Publication._meta.get_fields())
    print(f"database:  {connection.vendor}, {total:,} published publications")
    print(
        "site:      the publication list's search, as on a first visit: "
        + ("full-text search on the stored search vector" if has_vector else "no search vector")
    )
    print("scan:      title, abstract or venue icontains each word (authors not searched)")
    print(f"each run:  count of the matches + first page of {PAGE_SIZE}; median of {args.repeat}")
    print()
    header = f"{'query':<34}{'matches':>16}{'site ms':>10}{'scan ms':>10}{'speed-up':>10}"
    print(header)
    ratios = []
    for label, text in queries:
        site_page_query(text)  # warm-up: caches, plans
        page_query(icontains_scan(text))
        site_times, scan_times = [], []
        for _ in range(args.repeat):
            seconds, site_count, newest_first = site_page_query(text)
            site_times.append(seconds)
            seconds, scan_count = page_query(icontains_scan(text))
            scan_times.append(seconds)
        site_ms = statistics.median(site_times) * 1000
        scan_ms = statistics.median(scan_times) * 1000
        ratio = scan_ms / site_ms
        ratios.append(ratio)
        print(
            f"{label + ' “' + text + '”':<34}{f'{site_count:,} / {scan_count:,}':>16}"
            f"{site_ms:>10.1f}{scan_ms:>10.1f}{ratio:>9.1f}×"
            + ("  (newest first)" if newest_first else "")
        )
    print(
        "matches: site / scan. Newest first: more matches than the list ranks "
        f"({RANKED_MATCHES_LIMIT:,}). Target: a speed-up of at least {TARGET}× on every query."
    )
    verdict = "PASS" if min(ratios) >= TARGET else "MISS"
    print(f"lowest speed-up: {min(ratios):.1f}×  {verdict}")

    for label, text in queries:
        plan = site_search(text).publications[:PAGE_SIZE].explain(analyze=True, buffers=True)
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the site's first page for {label} “{text}”:")
        print(plan)


if __name__ == "__main__":
    main()
