"""Import publications from a BibTeX file: all entries or none, duplicates merged."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from profiles.models import Researcher, ResearchTopic
from publications.bibtex import (
    MAX_FILE_BYTES,
    BibtexFileError,
    decode_bibtex_file,
    file_too_large_message,
)
from publications.services import ImportReport, publication_import_bibtex


class Command(BaseCommand):
    help = (
        "Import the publications of a BibTeX file. Entries that repeat a stored publication "
        "(same DOI, arXiv id, or title within a year) complete it instead of adding a copy. "
        "With an invalid entry nothing is imported, unless --skip-invalid is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .bib file (UTF-8)")
        parser.add_argument(
            "--researcher", metavar="SLUG", help="link this researcher's own author record"
        )
        parser.add_argument(
            "--topic",
            metavar="SLUG",
            nargs="+",
            default=[],
            help="research topics to add to every imported publication",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen, change nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid entries and report the invalid ones",
        )

    def handle(self, *args, **options):
        # Operators read the command's output in English, like the rest of manage.py.
        with translation.override("en"):
            self._import(**options)

    def _import(self, *, file: Path, researcher, topic, dry_run, skip_invalid, **options):
        researcher_obj = self._researcher(researcher) if researcher else None
        topics = self._topics(topic)
        text = self._read(file)
        report = publication_import_bibtex(
            text=text,
            researcher=researcher_obj,
            topics=topics,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=self._progress if self.stdout.isatty() else None,
        )
        self._summary(report)
        if not report.succeeded:
            raise CommandError(
                f"{len(report.problems)} invalid entries: nothing was imported "
                "(fix them, or use --skip-invalid to import the others)."
            )

    def _researcher(self, slug: str) -> Researcher:
        try:
            return Researcher.objects.get(slug=slug)
        except Researcher.DoesNotExist:
            raise CommandError(f"There is no researcher with the slug {slug!r}.") from None

    def _topics(self, slugs: list[str]) -> list[ResearchTopic]:
        topics = list(ResearchTopic.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {topic.slug for topic in topics})
        if unknown:
            raise CommandError(f"Unknown research topics: {', '.join(unknown)}.")
        return topics

    def _read(self, path: Path) -> str:
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    raise CommandError(f"{path}: {file_too_large_message(size)}")
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            return decode_bibtex_file(data)
        except BibtexFileError as error:
            raise CommandError(f"{path}: {error}") from error

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        if done == total:
            self.stdout.write("")
        self.stdout.flush()

    def _summary(self, report: ImportReport) -> None:
        if report.problems:
            self.stderr.write("Invalid entries:")
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            return
        prefix = "Would import" if report.dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}: {len(report.created)} created, {len(report.versions)} other versions "
                f"of a publication, {len(report.merged)} completing an existing one, "
                f"{len(report.present)} already present, {len(report.skipped)} skipped."
            )
        )
        for entry in report.skipped:
            self.stdout.write(f"  skipped {entry.key or '?'} (line {entry.line}): {entry.reason}")
        for entry in report.entries:
            for warning in entry.warnings:
                self.stdout.write(
                    self.style.WARNING(f"  {entry.key} (line {entry.line}): {warning}")
                )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        if report.dry_run:
            self.stdout.write("Dry run: nothing was changed.")
