"""Harvest benchmark: 200 researchers with 100 works each, read from a local server, staged on a
small and a large database side by side.

bench/harvest_server.py stands in for OpenAlex, ORCID and Crossref (their real JSON shapes):
each researcher has 100 OpenAlex works over three pages followed by cursor, an ORCID record
listing 40 of them again (same DOIs, so that records of one work from two sources are merged)
and 10 of its own, and Crossref answers for their DOIs (404 for one in ten). A few works of
each researcher (3 by default) carry the DOI, title and year of a publication the database
already holds, so that matching finds stored works (and their citation counts are refreshed).

The sources' rate limits are raised to 10,000 requests a second for the run: the benchmark
measures our code (reading, merging, matching, writing), not the sources' limits, which would
make a harvest of 200 researchers last over two hours whatever the code does. arXiv and DBLP
are not read (the works have no arXiv id and the researchers no DBLP id).

For each database, in a process of its own, it measures two harvests of the same answers:

- works read, candidates staged, works staged per second (wall and CPU time of staging, the
  part that reads and writes the database, apart from the HTTP reads);
- SQL queries per researcher, smallest and largest (they must not grow with the database);
- the process's peak memory (maxrss) before and after the harvests;
- the second harvest reads the same answers and must stage nothing new.

It then prints the ratio large/small of the staging time per candidate, which stays close to 1
when matching costs the same whatever the number of stored publications.

    createdb -h 127.0.0.1 -U postgres -T bench bench_harvest_large   # or generate_data.py
    .venv/bin/python bench/generate_data.py --publications 1000 --researchers 200 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_harvest_small
    .venv/bin/python bench/harvest.py
    .venv/bin/python bench/harvest.py --researchers 20 --works 100   # a quick look

What it changes in each database: the harvest tables (candidates, their source records,
rejections, runs) are emptied before and after the run; the ORCID iD and OpenAlex id of the
first researchers (by primary key) are set for the run and put back after it; the citation
counts and per-year counts the harvest writes on the matched publications, and their
provenance rows, are put back as they were. Stop it with Ctrl-C and the restoring still runs.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, django_setup
from bench.harvest_server import HarvestServer, Person, Plan, StoredWork, person_identifiers

DATABASES = {
    "small": "postgres://postgres@127.0.0.1:5432/bench_harvest_small",
    "large": "postgres://postgres@127.0.0.1:5432/bench_harvest_large",
}
SOURCES = ["orcid", "openalex", "crossref"]
REQUESTS_PER_SECOND = 10_000
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"


@dataclass
class RunFigures:
    """What one harvest of every researcher measured."""

    seconds: float = 0.0
    staging_seconds: float = 0.0
    staging_cpu_seconds: float = 0.0
    works_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    citations_updated: int = 0
    errors: int = 0
    queries: list[int] = field(default_factory=list)  # per researcher
    staging_queries: int = 0
    # Candidates in the database after the run, by relation (new work, update, ...), and how
    # many of them name a stored publication.
    relations: dict[str, int] = field(default_factory=dict)
    about_stored: int = 0

    @property
    def staged(self) -> int:
        return self.new + self.updated


@dataclass
class DatabaseFigures:
    name: str
    publications: int
    researchers: int
    runs: list[RunFigures]
    maxrss_before_mib: float
    maxrss_after_mib: float


# Measuring, in the child process of one database -------------------------------------------


class StagingClock:
    """Wraps the harvest's stage_works to time it and count its queries apart from the rest."""

    def __init__(self) -> None:
        from harvest.services import runs

        self.runs = runs
        self.original = runs.stage_works
        self.wall = self.cpu = 0.0
        self.queries = 0
        self.staging = False

    def __enter__(self) -> "StagingClock":
        def timed(**kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            self.staging = True
            try:
                return self.original(**kwargs)
            finally:
                self.staging = False
                self.wall += time.perf_counter() - wall
                self.cpu += time.thread_time() - cpu

        self.runs.stage_works = timed
        return self

    def __exit__(self, *exc_info) -> None:
        self.runs.stage_works = self.original


def harvest_once(researchers: list) -> RunFigures:
    """One harvest of ``researchers`` as the harvest command runs it, measured."""
    from django.db import connection
    from django.db.models import Count

    from harvest.models import Candidate, HarvestRun
    from harvest.services.runs import adapters_load, harvest_run

    figures = RunFigures()
    counted = {"all": 0}

    def count(execute, sql, params, many, context):
        counted["all"] += 1
        clock.queries += clock.staging
        return execute(sql, params, many, context)

    def progress(harvested) -> None:
        report = harvested.report
        figures.works_read += report.found
        figures.new += report.new
        figures.updated += report.updated
        figures.unchanged += report.unchanged
        figures.citations_updated += report.citations_updated
        figures.errors += len(harvested.errors)
        figures.queries.append(counted["all"])
        counted["all"] = 0

    adapters, failures = adapters_load(SOURCES)
    if failures:
        sys.exit("\n".join(failures.values()))
    start = time.perf_counter()
    with StagingClock() as clock, connection.execute_wrapper(count):
        run = HarvestRun.objects.create(sources=SOURCES)
        harvest_run(
            run=run,
            researchers=researchers,
            adapters=adapters,
            failures={},
            since=None,
            progress=progress,
        )
    figures.seconds = time.perf_counter() - start
    figures.staging_seconds, figures.staging_cpu_seconds = clock.wall, clock.cpu
    figures.staging_queries = clock.queries
    candidates = Candidate.objects.order_by()
    figures.relations = dict(candidates.values_list("relation").annotate(n=Count("pk")))
    figures.about_stored = candidates.filter(publication__isnull=False).count()
    return figures


# Preparing and restoring the database ------------------------------------------------------


def harvest_tables_empty() -> None:
    from harvest.models import Candidate, CandidateSource, HarvestRun, Rejection

    CandidateSource.objects.all().delete()
    Rejection.objects.all().delete()
    Candidate.objects.all().delete()
    HarvestRun.objects.all().delete()


@dataclass
class Saved:
    """What the run changes outside the harvest tables, as it was before."""

    identifiers: dict[int, tuple[str, str]]
    citations: dict[int, tuple]
    years: list
    provenance: list


def people_plan(count: int, stored_each: int) -> tuple[list, list[Person], list[int]]:
    """The first ``count`` researchers, the server's view of them with ``stored_each`` stored
    publications each (distinct ones, with a DOI), and those publications' keys."""
    from profiles.models import Researcher
    from publications.models import Publication

    researchers = list(Researcher.objects.order_by("pk")[:count])
    if len(researchers) < count:
        sys.exit(f"The database holds {len(researchers)} researchers; {count} are needed.")
    rows = list(
        Publication.objects.exclude(doi="")
        .order_by("pk")
        .values_list("pk", "doi", "title", "year")[: count * stored_each]
    )
    if len(rows) < count * stored_each:
        sys.exit(
            f"The database holds {len(rows)} publications with a DOI; need {count * stored_each}."
        )
    people = []
    for number, researcher in enumerate(researchers):
        mine = rows[number * stored_each : (number + 1) * stored_each]
        openalex_id, orcid = person_identifiers(number)
        stored = tuple(StoredWork(doi, title, year) for _, doi, title, year in mine)
        people.append(Person(number, openalex_id, orcid, researcher.full_name, stored))
    return researchers, people, [pk for pk, *_ in rows]


def state_save(researchers: list, publication_ids: list[int]) -> Saved:
    from publications.models import FieldSource, Publication, PublicationCitationYear

    return Saved(
        identifiers={r.pk: (r.orcid, r.openalex_id) for r in researchers},
        citations={
            pk: (count, read_at)
            for pk, count, read_at in Publication.objects.filter(
                pk__in=publication_ids
            ).values_list("pk", "cited_by_count", "citations_read_at")
        },
        years=list(PublicationCitationYear.objects.filter(publication__in=publication_ids)),
        provenance=list(
            FieldSource.objects.filter(publication__in=publication_ids, field_name="cited_by_count")
        ),
    )


def identifiers_set(researchers: list, people: list[Person]) -> None:
    from profiles.models import Researcher

    for researcher, person in zip(researchers, people, strict=True):
        researcher.orcid, researcher.openalex_id = person.orcid, person.openalex_id
    Researcher.objects.bulk_update(researchers, ["orcid", "openalex_id"])


def state_restore(saved: Saved, researchers: list) -> None:
    """Put back what the run changed outside the harvest tables, in one transaction."""
    from django.db import transaction

    from profiles.models import Researcher
    from publications.models import FieldSource, Publication, PublicationCitationYear

    ids = list(saved.citations)
    with transaction.atomic():
        for researcher in researchers:
            researcher.orcid, researcher.openalex_id = saved.identifiers[researcher.pk]
        Researcher.objects.bulk_update(researchers, ["orcid", "openalex_id"])
        changed = []
        for publication in Publication.objects.filter(pk__in=ids).only(
            "cited_by_count", "citations_read_at"
        ):
            before = saved.citations[publication.pk]
            if (publication.cited_by_count, publication.citations_read_at) != before:
                publication.cited_by_count, publication.citations_read_at = before
                changed.append(publication)
        Publication.objects.bulk_update(changed, ["cited_by_count", "citations_read_at"])
        PublicationCitationYear.objects.filter(publication__in=ids).delete()
        PublicationCitationYear.objects.bulk_create(saved.years)
        FieldSource.objects.filter(publication__in=ids, field_name="cited_by_count").delete()
        FieldSource.objects.bulk_create(saved.provenance)


def database_measure(args: argparse.Namespace) -> DatabaseFigures:
    """Prepare the database, harvest twice from the local server, put the database back."""
    from django.conf import settings

    from publications.models import Publication

    researchers, people, publication_ids = people_plan(args.researchers, args.stored)
    plan = Plan(tuple(people), works=args.works, on_orcid=args.on_orcid)
    saved = state_save(researchers, publication_ids)
    maxrss_before = _maxrss_mib()
    runs = []
    with HarvestServer(plan) as server:
        for name in SOURCES:
            settings.HARVEST_SOURCES[name]["URL"] = f"{server.base_url}/{name}"
            settings.HARVEST_SOURCES[name]["REQUESTS_PER_SECOND"] = REQUESTS_PER_SECOND
        harvest_tables_empty()
        try:
            identifiers_set(researchers, people)
            for _ in range(2):
                runs.append(harvest_once(researchers))
        finally:
            state_restore(saved, researchers)
            harvest_tables_empty()
    return DatabaseFigures(
        name=args.name,
        publications=Publication.objects.count(),
        researchers=len(researchers),
        runs=runs,
        maxrss_before_mib=maxrss_before,
        maxrss_after_mib=_maxrss_mib(),
    )


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# The parent: one child per database, then the comparison ---------------------------------


def child_run(name: str, database_url: str, args: argparse.Namespace) -> dict:
    command = [
        str(PYTHON), __file__, "--child", name, "--database-url", database_url,
        "--researchers", str(args.researchers), "--works", str(args.works),
        "--on-orcid", str(args.on_orcid), "--stored", str(args.stored),
    ]  # fmt: skip
    print(f"{name}: harvesting {args.researchers} researchers …", flush=True)
    # The harvest tells the page cache that publications changed (their citation counts):
    # that cache is Redis's database given here, under a prefix of the benchmark's own.
    environment = {
        **os.environ,
        "REDIS_URL": args.redis_url,
        "DJANGO_CACHE_KEY_PREFIX": "bench-harvest",
    }
    completed = subprocess.run(  # noqa: S603 (fixed arguments)
        command, capture_output=True, text=True, check=False, env=environment
    )
    if completed.returncode != 0:
        sys.exit(f"{name}: the benchmark failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def figures_print(results: dict[str, dict]) -> None:
    for name, result in results.items():
        print(f"\n{name}: {result['publications']:,} publications, "
              f"{result['researchers']} researchers harvested")  # fmt: skip
        for number, run in enumerate(result["runs"], start=1):
            staged = run["new"] + run["updated"]
            queries = run["queries"]
            print(
                f"  run {number}: {run['works_read']:,} works read, {staged:,} candidates staged "
                f"({run['new']:,} new, {run['updated']:,} updated), {run['unchanged']:,} "
                f"unchanged, {run['citations_updated']:,} citation counts refreshed, "
                f"{run['errors']} errors"
            )
            print(
                f"         {run['seconds']:.1f} s in all, staging {run['staging_seconds']:.1f} s "
                f"wall / {run['staging_cpu_seconds']:.1f} s CPU: "
                f"{run['works_read'] / run['staging_seconds']:,.0f} works staged/s wall, "
                f"{run['works_read'] / run['staging_cpu_seconds']:,.0f} CPU; "
                f"{run['works_read'] / run['seconds']:,.0f} works/s end to end"
            )
            relations = ", ".join(f"{n:,} {name}" for name, n in sorted(run["relations"].items()))
            print(
                f"         candidates held: {relations}; {run['about_stored']:,} about a "
                "stored publication"
            )
            print(
                f"         SQL queries per researcher: {min(queries)} to {max(queries)} "
                f"(staging: {run['staging_queries'] / len(queries):.1f} on average)"
            )
        print(
            f"  peak memory (maxrss): {result['maxrss_before_mib']:.0f} MiB before, "
            f"{result['maxrss_after_mib']:.0f} MiB after the harvests"
        )


def comparison_print(results: dict[str, dict]) -> None:
    first = {name: result["runs"][0] for name, result in results.items()}
    print()
    for clock, key in (("wall", "staging_seconds"), ("CPU", "staging_cpu_seconds")):
        per_candidate = {
            name: run[key] / max(run["new"] + run["updated"], 1) * 1000
            for name, run in first.items()
        }
        print(
            f"staging time per candidate, first run, {clock}: "
            f"small {per_candidate['small']:.2f} ms, large {per_candidate['large']:.2f} ms, "
            f"ratio large/small {per_candidate['large'] / per_candidate['small']:.2f} "
            "(target close to 1)"
        )
    for name, result in results.items():
        second = result["runs"][1]
        print(
            f"second run on {name}: {second['new'] + second['updated']} candidates staged "
            "(target 0)"
        )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-url", default=DATABASES["small"])
    parser.add_argument("--large-url", default=DATABASES["large"])
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--researchers", type=int, default=200)
    parser.add_argument("--works", type=int, default=100, help="OpenAlex works a researcher")
    parser.add_argument(
        "--on-orcid", type=int, default=40, help="of which ORCID lists the first this many"
    )
    parser.add_argument(
        "--stored", type=int, default=3, help="of which this many are stored publications"
    )
    parser.add_argument("--child", dest="name", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    if args.name:
        django_setup(args.database_url)
        figures = database_measure(args)
        print(json.dumps(asdict(figures)))
        return
    results = {
        "small": child_run("small", args.small_url, args),
        "large": child_run("large", args.large_url, args),
    }
    figures_print(results)
    comparison_print(results)


if __name__ == "__main__":
    main()
