"""Benchmark of the BibTeX import: a generated file of realistic entries into an empty database.

Prints entries per second, the ratio of the import's time to bibtexparser's own parse of the
same file (the floor: the import parses it too), SQL statements per entry and peak memory.
Django runs with debug off, as on a server.

    .venv/bin/python bench/import_bibtex.py            # 5,000 entries, temporary SQLite file
    DATABASE_URL=postgres://... .venv/bin/python bench/import_bibtex.py --entries 5000

On PostgreSQL, give an empty database: the benchmark migrates it and imports into it.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GIVEN = [
    "Jo{\\~a}o",
    "Maciej",
    "Ji{\\v r}{\\'\\i}",
    "Ren{\\'e}e",
    "Hado",
    "Petar",
    'Zo{\\"e}',
    "Fran{\\c c}ois",
    "S{\\o}ren",
    "Anna",
    "Li",
    "Wei",
    "Amir",
    "Chlo{\\'e}",
    'Bj{\\"o}rn',
]
FAMILY = [
    "Pi{\\'o}ro",
    "Wo{\\l}czyk",
    "van Hasselt",
    "Veli{\\v c}kovi{\\'c}",
    'M{\\"u}ller',
    "de la Fuente",
    "Stra{\\ss}e",
    "{\\O}stergaard",
    "Garc{\\'\\i}a",
    "Nguyen",
    "O'Brien",
    "von Oswald",
    "Smith",
    "Dubois",
    "Kowalski",
    "Tanaka",
    "Rossi",
    "Larsen",
]
WORDS = [
    "learning",
    "neural",
    "networks",
    "{Transformers}",
    "graph",
    "optimisation",
    "deep",
    "continual",
    "representations",
    "stochastic",
    "gradient",
    "attention",
    "{RNN}s",
    "$\\alpha$-stable",
    "\\emph{robust}",
    "kernels",
    "policy",
    "{B}ayesian",
    "sparse",
]
VENUES = [
    "Proceedings of NeurIPS~2023",
    "International Conference on Machine Learning",
    "Journal of Machine Learning Research",
    "arXiv preprint",
    "Transactions on {AI}",
]


def generate(entry_count: int, seed: int = 7) -> str:
    """A BibTeX file with the LaTeX, name forms and identifiers found in real exports."""
    rng = random.Random(seed)
    people = [f"{rng.choice(FAMILY)}, {rng.choice(GIVEN)}" for _ in range(entry_count // 2 + 50)]
    entries = []
    for number in range(entry_count):
        kind = rng.choice(["article", "inproceedings", "misc"])
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).capitalize()
        authors = " and ".join(rng.sample(people, rng.randint(2, 8)))
        fields = [
            f"  title = {{{title} {number}}}",
            f"  author = {{{authors}}}",
            f"  year = {{{rng.randint(1995, 2025)}}}",
        ]
        venue = rng.choice(VENUES)
        if venue == "arXiv preprint":
            fields.append(f"  journal = {{arXiv preprint arXiv:{2300 + number % 99}.{number:05d}}}")
        else:
            fields.append(f"  {'journal' if kind == 'article' else 'booktitle'} = {{{venue}}}")
            fields.append(f"  doi = {{10.{1000 + number % 50}/bench.{number}}}")
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
        fields.append(f"  abstract = {{We show that {abstract} -- with 50% fewer steps.}}")
        entries.append(f"@{kind}{{key{number},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(entries)


@dataclass
class Imported:
    """An import's report and what it took."""

    report: object
    seconds: float
    cpu: float
    queries: int
    before_mb: float
    peak_mb: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # Debug off, as on a server: with it on, Django keeps the text of every query with its
    # values quoted (a query of its own per statement on SQLite), in time and memory that are
    # not the import's.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from publications.models import Publication

    call_command("migrate", verbosity=0)
    if Publication.objects.exists():
        sys.exit("The database is not empty: give the benchmark an empty one.")
    text = generate(args.entries)
    # The import first, so that its peak memory is its own and not what the parse left.
    imported = timed_import(text)
    show(connection.vendor, args.entries, text, imported, parse_floor(text))


def show(vendor: str, entries: int, text: str, imported: Imported, parse) -> None:
    parse_seconds, parse_cpu = parse
    report = imported.report
    print(f"database:            {vendor}")
    print(
        f"entries:             {entries} ({len(report.created)} created, "
        f"{len(report.merged)} merged, {len(report.present)} already present)"
    )
    print(f"file size:           {len(text.encode()) / 1024 / 1024:.1f} MB")
    print(f"bibtexparser parse:  {parse_seconds:.2f} s (best of 3; {parse_cpu:.2f} s CPU)")
    print(
        f"import:              {imported.seconds:.2f} s ({entries / imported.seconds:.0f} "
        f"entries/s; {imported.cpu:.2f} s CPU in this process)"
    )
    print(f"import / parse:      {imported.seconds / parse_seconds:.2f} (target: at most 5)")
    per_entry = imported.queries / entries
    print(f"SQL statements:      {imported.queries} ({per_entry:.3f} per entry)")
    print(
        f"peak memory:         {imported.peak_mb:.0f} MB resident for the whole process "
        f"({imported.before_mb:.0f} MB before the import; target: under 300 MB)"
    )


def timed_import(text: str) -> Imported:
    """The import of ``text``, timed, its SQL statements counted and its peak memory read."""
    from django.db import connection

    from publications.services import publication_import_bibtex

    # Counted, not captured: keeping the text of every bulk INSERT would weigh in the peak.
    # (PostgreSQL's COPY, which writes the history there, passes no execute wrapper.)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # A few entries first, rolled back, as in a running server: the first import of a process
    # loads translations, compiles patterns and fills caches that the next ones find ready.
    publication_import_bibtex(text=generate(20, seed=1), dry_run=True)
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, start_cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        report = publication_import_bibtex(text=text)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert report.succeeded, report.problems[:3]
    return Imported(report, seconds, cpu, queries, before_mb, peak_mb)


def parse_floor(text: str) -> tuple[float, float]:
    """bibtexparser's own parse of ``text``: the best of three runs, in seconds and CPU
    seconds (on a busy machine, a single run can take twice as long)."""
    import bibtexparser

    runs = []
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        bibtexparser.parse_string(text)
        runs.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return min(runs)


if __name__ == "__main__":
    main()
