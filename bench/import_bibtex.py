"""Benchmark of the BibTeX import: a generated file of realistic entries into an empty database.

Prints entries per second, the ratio of the import's time to bibtexparser's own parse of the
same file (the floor: the import parses it too), SQL queries per entry and peak memory.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    import bibtexparser
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from publications.models import Publication
    from publications.services import publication_import_bibtex

    call_command("migrate", verbosity=0)
    if Publication.objects.exists():
        sys.exit("The database is not empty: give the benchmark an empty one.")
    text = generate(args.entries)

    start = time.perf_counter()
    bibtexparser.parse_string(text)
    parse_seconds = time.perf_counter() - start

    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = publication_import_bibtex(text=text)
    import_seconds = time.perf_counter() - start
    rss_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    assert report.succeeded, report.problems[:3]
    print(f"database:            {connection.vendor}")
    print(
        f"entries:             {args.entries} ({len(report.created)} created, "
        f"{len(report.merged)} merged, {len(report.present)} already present)"
    )
    print(f"file size:           {len(text.encode()) / 1024 / 1024:.1f} MB")
    print(f"bibtexparser parse:  {parse_seconds:.2f} s")
    rate = args.entries / import_seconds
    print(f"import:              {import_seconds:.2f} s ({rate:.0f} entries/s)")
    print(f"import / parse:      {import_seconds / parse_seconds:.2f} (target: at most 5)")
    print(f"SQL queries:         {len(queries)} ({len(queries) / args.entries:.3f} per entry)")
    print(
        f"peak memory:         {rss_peak_mb:.0f} MB resident for the whole process "
        f"({rss_before_mb:.0f} MB before the import; target: under 300 MB)"
    )


if __name__ == "__main__":
    main()
